using Buildx.Core.Session.FileSend;
using Buildx.Core.Session.Grpc;
using Grpc.Core;
using static Buildx.Core.Tests.Session.FileSend.FileSendHarness;

namespace Buildx.Core.Tests.Session.FileSend;

/// <summary>A local export that does not complete must leave the destination as it was.</summary>
public class ExportAtomicityTests
{
    private static readonly FakeEntry[] Tree =
    [
        Dir("a"),
        File("a/one", new string('1', 100)),
        File("a/two", new string('2', 100)),
        File("b", new string('3', 100)),
    ];

    [Fact]
    public async Task A_sender_error_mid_stream_leaves_no_destination()
    {
        using var temp = new TempDirectory();
        var service = new FileSendService([new DirectoryExportTarget(Path.Combine(temp.Path, "new", "out"))]);
        using var call = new FakeDaemonCall();

        var error = await RunAsync(service, call, new FakeFsutilSender(call, Tree) { FailAfterDataChunks = 7 });

        var status = Assert.IsType<GrpcStatusException>(error);
        Assert.Equal(StatusCode.Aborted, status.StatusCode);
        Assert.Contains("error from sender: disk on fire", status.Message, StringComparison.Ordinal);
        Assert.Empty(Listing(temp.Path));
    }

    [Fact]
    public async Task A_stream_that_ends_before_the_data_leaves_no_destination()
    {
        using var temp = new TempDirectory();
        var service = new FileSendService([new DirectoryExportTarget(Path.Combine(temp.Path, "out"))]);
        using var call = new FakeDaemonCall();

        var error = await RunAsync(service, call, new FakeFsutilSender(call, Tree) { CloseAfterListing = true });

        Assert.Equal(StatusCode.InvalidArgument, Assert.IsType<GrpcStatusException>(error).StatusCode);
        Assert.Empty(Listing(temp.Path));
    }

    [Fact]
    public async Task A_cancelled_call_leaves_no_destination()
    {
        using var temp = new TempDirectory();
        var service = new FileSendService([new DirectoryExportTarget(Path.Combine(temp.Path, "out"))]);
        using var call = new FakeDaemonCall();

        var error = await RunAsync(service, call, new FakeFsutilSender(call, Tree) { CancelAfterDataChunks = 5 });

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Empty(Listing(temp.Path));
        Assert.False(Assert.Single(service.Transfers).Succeeded);
    }

    [Fact]
    public async Task A_failed_export_leaves_an_existing_destination_untouched()
    {
        using var temp = new TempDirectory();
        temp.Write("out/a/one", "mine");
        temp.Write("out/b", "mine too");
        var before = Listing(temp.Path);
        var service = new FileSendService([new DirectoryExportTarget(Path.Combine(temp.Path, "out"))]);
        using var call = new FakeDaemonCall();

        var error = await RunAsync(service, call, new FakeFsutilSender(call, Tree) { FailAfterDataChunks = 30 });

        Assert.IsType<GrpcStatusException>(error);
        Assert.Equal(before, Listing(temp.Path));
        Assert.Equal("mine", System.IO.File.ReadAllText(Path.Combine(temp.Path, "out/a/one")));
        Assert.Equal("mine too", System.IO.File.ReadAllText(Path.Combine(temp.Path, "out/b")));
    }

    [Fact]
    public async Task A_refused_entry_after_good_ones_leaves_an_existing_destination_untouched()
    {
        using var temp = new TempDirectory();
        temp.Write("out/keep", "mine");
        var service = new FileSendService([new DirectoryExportTarget(Path.Combine(temp.Path, "out"))]);
        using var call = new FakeDaemonCall();

        var error = await RunAsync(service, call, new FakeFsutilSender(call, [File("a", "good"), File("b", "good"), File("c/../../escaped", "bad")]));

        Assert.Equal(StatusCode.PermissionDenied, Assert.IsType<GrpcStatusException>(error).StatusCode);
        Assert.Equal(["out", "out/keep"], Listing(temp.Path));
    }
}
