using Buildx.Core.Session.FileSend;
using Buildx.Core.Session.Grpc;
using Grpc.Core;
using static Buildx.Core.Tests.Session.FileSend.FileSendHarness;

namespace Buildx.Core.Tests.Session.FileSend;

public class TarExportTests
{
    private static readonly byte[][] Chunks = [[1, 2, 3], [4], new byte[5000], [9, 9]];

    private static byte[] All => Chunks.SelectMany(c => c).ToArray();

    [Fact]
    public async Task Writes_the_bytes_to_a_file_through_a_temporary_file()
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "deep", "image.tar");
        var service = new FileSendService([new FileExportTarget(destination)]);
        using var call = new FakeDaemonCall();

        Assert.Null(await RunBytesAsync(service, call, Chunks));

        Assert.Equal(All, System.IO.File.ReadAllBytes(destination));
        Assert.Equal(["deep", "deep/image.tar"], Listing(temp.Path));
        var transfer = Assert.Single(service.Transfers);
        Assert.Equal(destination, transfer.WrittenPath);
        Assert.Equal(All.Length, transfer.BytesReceived);
    }

    [Fact]
    public async Task Replaces_an_existing_file_and_keeps_its_mode()
    {
        using var temp = new TempDirectory();
        var destination = temp.Write("image.tar", "old");
        if (!OperatingSystem.IsWindows())
        {
            System.IO.File.SetUnixFileMode(destination, (UnixFileMode)Octal("640"));
        }

        var service = new FileSendService([new FileExportTarget(destination)]);
        using var call = new FakeDaemonCall();

        Assert.Null(await RunBytesAsync(service, call, Chunks));

        Assert.Equal(All, System.IO.File.ReadAllBytes(destination));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal((UnixFileMode)Octal("640"), System.IO.File.GetUnixFileMode(destination));
        }
    }

    [Fact]
    public async Task A_cancelled_stream_leaves_the_old_file_and_no_temporary_file()
    {
        using var temp = new TempDirectory();
        var destination = temp.Write("image.tar", "old");
        var service = new FileSendService([new FileExportTarget(destination)]);
        using var call = new FakeDaemonCall();

        string[]? whileReceiving = null;

        var error = await RunBytesAsync(service, call, Chunks, cancelAfterChunks: true, beforeCancel: () => whileReceiving = Listing(temp.Path));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.NotNull(whileReceiving);
        Assert.Contains(whileReceiving, name => name.StartsWith(".image.tar.buildx-partial-", StringComparison.Ordinal));
        Assert.Equal("old", System.IO.File.ReadAllText(destination));
        Assert.Equal(["image.tar"], Listing(temp.Path));
    }

    [Fact]
    public async Task A_cancelled_stream_removes_the_directories_it_created()
    {
        using var temp = new TempDirectory();
        var service = new FileSendService([new FileExportTarget(Path.Combine(temp.Path, "a", "b", "image.tar"))]);
        using var call = new FakeDaemonCall();

        Assert.IsAssignableFrom<OperationCanceledException>(await RunBytesAsync(service, call, Chunks, cancelAfterChunks: true));

        Assert.Empty(Listing(temp.Path));
    }

    [Fact]
    public async Task A_stream_without_bytes_writes_no_file()
    {
        using var temp = new TempDirectory();
        var service = new FileSendService([new FileExportTarget(Path.Combine(temp.Path, "image.tar"))]);
        using var call = new FakeDaemonCall();

        Assert.Null(await RunBytesAsync(service, call, []));

        Assert.Empty(Listing(temp.Path));
        Assert.Null(Assert.Single(service.Transfers).WrittenPath);
    }

    [Fact]
    public void Standard_output_is_not_a_file_path() =>
        Assert.Throws<ArgumentException>(() => new FileExportTarget("-"));

    [Fact]
    public async Task Writes_to_a_caller_stream_it_does_not_own()
    {
        using var output = new MemoryStream();
        var service = new FileSendService([StreamExportTarget.ForStream(output)]);
        using var call = new FakeDaemonCall();

        Assert.Null(await RunBytesAsync(service, call, Chunks));

        Assert.Equal(All, output.ToArray());
        Assert.True(output.CanWrite, "the caller's stream must stay open");
    }

    [Fact]
    public async Task Opens_a_stream_with_the_exporter_metadata_and_closes_it()
    {
        var opened = new MemoryStream();
        IReadOnlyDictionary<string, string>? seen = null;
        var service = new FileSendService([new StreamExportTarget(metadata =>
        {
            seen = metadata;
            return opened;
        })]);
        using var call = new FakeDaemonCall(
            ExporterId(0),
            ("exporter-md-containerimage.digest", "sha256:abc"),
            ("exporter-md-image.name", "a"),
            ("exporter-md-image.name", "b"),
            ("unrelated", "x"));

        Assert.Null(await RunBytesAsync(service, call, Chunks));

        Assert.Equal(All, opened.ToArray());
        Assert.False(opened.CanWrite, "a stream the target opened is closed at the end");
        Assert.NotNull(seen);
        Assert.Equal(2, seen.Count);
        Assert.Equal("sha256:abc", seen["containerimage.digest"]);
        Assert.Equal("a,b", seen["image.name"]);
        Assert.Equal("sha256:abc", Assert.Single(service.Transfers).Metadata.ExporterMetadata["containerimage.digest"]);
    }

    [Fact]
    public async Task Declining_the_stream_answers_already_exists()
    {
        var service = new FileSendService([new StreamExportTarget(_ => null)]);
        using var call = new FakeDaemonCall();

        var error = await RunBytesAsync(service, call, Chunks);

        Assert.Equal(StatusCode.AlreadyExists, Assert.IsType<GrpcStatusException>(error).StatusCode);
    }
}
