using Buildx.Core.Session.FileSend;
using Buildx.Core.Session.Grpc;
using Grpc.Core;
using static Buildx.Core.Tests.Session.FileSend.FileSendHarness;

namespace Buildx.Core.Tests.Session.FileSend;

public class ExporterSelectionTests
{
    [Fact]
    public void Registers_the_filesend_diffcopy_method()
    {
        var registry = new GrpcServiceRegistry();

        new FileSendService([]).Register(registry);

        Assert.Equal(["/moby.filesync.v1.FileSend/DiffCopy"], registry.Methods);
    }

    [Fact]
    public async Task The_exporter_id_picks_the_target()
    {
        using var temp = new TempDirectory();
        var directory = Path.Combine(temp.Path, "dir");
        var tarball = Path.Combine(temp.Path, "out.tar");
        var completed = new List<ExportTransferResult>();
        var service = new FileSendService([null, new DirectoryExportTarget(directory), new FileExportTarget(tarball)]);
        service.TransferCompleted += (_, result) => completed.Add(result);
        using var tarCall = new FakeDaemonCall(ExporterId(2));
        using var dirCall = new FakeDaemonCall(ExporterId(1));

        Assert.Null(await RunBytesAsync(service, tarCall, [[1, 2, 3]]));
        Assert.Null(await RunAsync(service, dirCall, new FakeFsutilSender(dirCall, [File("f", "x")])));

        Assert.Equal([1, 2, 3], System.IO.File.ReadAllBytes(tarball));
        Assert.Equal(["f"], Listing(directory));
        Assert.Equal([2, 1], completed.Select(t => t.ExporterIndex));
        Assert.Equal([2, 1], service.Transfers.Select(t => t.Metadata.ExporterId ?? -1));
        Assert.Equal([tarball, directory], service.WrittenPaths);
    }

    [Fact]
    public async Task Without_an_id_the_only_target_is_used()
    {
        using var temp = new TempDirectory();
        var tarball = Path.Combine(temp.Path, "out.tar");
        var service = new FileSendService([null, new FileExportTarget(tarball)]);
        using var call = new FakeDaemonCall();

        Assert.Null(await RunBytesAsync(service, call, [[7]]));

        Assert.Equal([7], System.IO.File.ReadAllBytes(tarball));
        Assert.Equal(1, Assert.Single(service.Transfers).ExporterIndex);
    }

    [Fact]
    public async Task Without_an_id_two_targets_are_ambiguous()
    {
        using var temp = new TempDirectory();
        var service = new FileSendService([new FileExportTarget(Path.Combine(temp.Path, "a.tar")), new FileExportTarget(Path.Combine(temp.Path, "b.tar"))]);
        using var call = new FakeDaemonCall();

        var error = await RunBytesAsync(service, call, [[7]]);

        Assert.Equal(StatusCode.FailedPrecondition, Assert.IsType<GrpcStatusException>(error).StatusCode);
        Assert.Empty(Listing(temp.Path));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("0")]
    public async Task An_id_without_a_target_is_not_found(string id)
    {
        var service = new FileSendService([null, StreamExportTarget.ForStream(Stream.Null)]);
        using var call = new FakeDaemonCall((FileSendMetadata.ExporterIdKey, id));

        var error = await RunBytesAsync(service, call, [[7]]);

        var status = Assert.IsType<GrpcStatusException>(error);
        Assert.Equal(StatusCode.NotFound, status.StatusCode);
        Assert.Equal($"exporter {id} not found", status.Message);
    }

    [Fact]
    public async Task A_malformed_id_is_refused()
    {
        var service = new FileSendService([StreamExportTarget.ForStream(Stream.Null)]);
        using var call = new FakeDaemonCall((FileSendMetadata.ExporterIdKey, "-1"));

        var error = await RunBytesAsync(service, call, [[7]]);

        Assert.Equal(StatusCode.InvalidArgument, Assert.IsType<GrpcStatusException>(error).StatusCode);
    }
}
