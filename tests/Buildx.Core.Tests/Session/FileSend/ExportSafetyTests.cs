using Buildx.Core.Session.FileSend;
using Buildx.Core.Session.Grpc;
using Grpc.Core;
using static Buildx.Core.Tests.Session.FileSend.FileSendHarness;

namespace Buildx.Core.Tests.Session.FileSend;

/// <summary>
/// A daemon (or anything in the middle) must not be able to make a local export write outside its
/// destination. Each trick must fail the export, name the entry, and leave nothing behind.
/// </summary>
public class ExportSafetyTests
{
    [Fact]
    public Task A_dot_dot_path_is_refused() =>
        AssertRefused([File("../escaped", "x")], StatusCode.PermissionDenied, "../escaped");

    [Fact]
    public Task A_dot_dot_inside_a_path_is_refused() =>
        AssertRefused([Dir("a"), File("a/../../escaped", "x")], StatusCode.PermissionDenied, "a/../../escaped");

    [Fact]
    public Task An_absolute_path_is_refused() =>
        AssertRefused([File("/tmp/escaped", "x")], StatusCode.PermissionDenied, "/tmp/escaped");

    [Fact]
    public async Task Writing_through_a_symlink_sent_earlier_is_refused()
    {
        using var outside = new TempDirectory();

        await AssertRefused([Symlink("a", outside.Path), File("a/passwd", "owned")], StatusCode.PermissionDenied, "a/passwd");

        Assert.Empty(Listing(outside.Path));
    }

    [Fact]
    public async Task Creating_a_directory_through_a_symlink_sent_earlier_is_refused()
    {
        using var outside = new TempDirectory();

        await AssertRefused([Symlink("a", outside.Path), Dir("a/sub")], StatusCode.PermissionDenied, "a/sub");

        Assert.Empty(Listing(outside.Path));
    }

    [Fact]
    public async Task A_symlink_already_in_the_destination_is_replaced_not_followed()
    {
        using var temp = new TempDirectory();
        using var outside = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");
        Directory.CreateDirectory(destination);
        System.IO.File.CreateSymbolicLink(Path.Combine(destination, "a"), outside.Path);
        System.IO.File.CreateSymbolicLink(Path.Combine(destination, "f"), Path.Combine(outside.Path, "target.txt"));
        var service = new FileSendService([new DirectoryExportTarget(destination)]);
        using var call = new FakeDaemonCall();

        Assert.Null(await RunAsync(service, call, new FakeFsutilSender(call, [Dir("a"), File("a/passwd", "mine"), File("f", "file")])));

        Assert.Empty(Listing(outside.Path));
        Assert.Equal(FileSystemEntryType.Directory, FileSystemEntry.Probe(Path.Combine(destination, "a")));
        Assert.Equal(FileSystemEntryType.Other, FileSystemEntry.Probe(Path.Combine(destination, "f")));
        Assert.Equal("mine", System.IO.File.ReadAllText(Path.Combine(destination, "a/passwd")));
    }

    [Fact]
    public Task A_hard_link_to_a_path_outside_is_refused() =>
        AssertRefused([File("a", "a"), HardLink("h", "../outside.txt")], StatusCode.PermissionDenied, "h");

    [Fact]
    public Task A_hard_link_to_an_absolute_path_is_refused() =>
        AssertRefused([File("a", "a"), HardLink("h", "/etc/passwd")], StatusCode.PermissionDenied, "/etc/passwd");

    [Fact]
    public Task A_hard_link_to_a_path_not_sent_before_is_refused() =>
        AssertRefused([HardLink("h", "later"), File("later", "a")], StatusCode.InvalidArgument, "later");

    [Fact]
    public async Task A_hard_link_to_a_symlink_is_refused()
    {
        using var outside = new TempDirectory();
        var target = outside.Write("secret", "secret");

        await AssertRefused([Symlink("a", target), HardLink("h", "a")], StatusCode.InvalidArgument, "not a regular file");

        Assert.Equal("secret", System.IO.File.ReadAllText(target));
    }

    [Fact]
    public async Task A_hard_link_through_a_symlink_is_refused()
    {
        using var outside = new TempDirectory();
        outside.Write("passwd", "secret");

        await AssertRefused([Symlink("a", outside.Path), HardLink("h", "a/passwd")], StatusCode.InvalidArgument, "a/passwd");

        Assert.Equal(["passwd"], Listing(outside.Path));
    }

    [Fact]
    public void Staging_never_reuses_a_path_that_already_exists()
    {
        // What a case-insensitive file system does when "A" (a symlink) and then "a" arrive.
        using var staging = new TempDirectory();
        using var outside = new TempDirectory();
        System.IO.File.CreateSymbolicLink(Path.Combine(staging.Path, "a"), outside.Path);
        var tree = new StagingTreeWriter(staging.Path);
        var validator = new ExportEntryValidator(windowsRules: false);

        var error = Assert.Throws<GrpcStatusException>(() => tree.Create(validator.Accept(Dir("a").ToStat())));

        Assert.Contains("collides", error.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<IOException>(() => tree.Create(new ExportEntryValidator(windowsRules: false).Accept(File("a", "x").ToStat())));
        Assert.ThrowsAny<IOException>(() => tree.Create(new ExportEntryValidator(windowsRules: false).Accept(Symlink("a", "/etc").ToStat())));
        Assert.Empty(Listing(outside.Path));
    }

    [Fact]
    public Task A_name_with_nul_is_refused() =>
        AssertRefused([File("a\0b", "x")], StatusCode.InvalidArgument, "a\\x00b");

    [Fact]
    public Task A_symlink_target_with_nul_is_refused() =>
        AssertRefused([Symlink("l", "/etc/passwd\0.txt")], StatusCode.InvalidArgument, "NUL");

    [Fact]
    public async Task A_backslash_path_is_an_ordinary_name_on_unix()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // On Windows it is refused: see ExportPathRulesTests.
        }

        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");
        var service = new FileSendService([new DirectoryExportTarget(destination)]);
        using var call = new FakeDaemonCall();

        Assert.Null(await RunAsync(service, call, new FakeFsutilSender(call, [File("..\\..\\escaped", "x")])));

        Assert.Equal(["out", "out/..\\..\\escaped"], Listing(temp.Path));
    }

    [Fact]
    public Task An_unclean_path_is_refused() =>
        AssertRefused([Dir("a"), File("a//b", "x")], StatusCode.InvalidArgument, "a//b");

    [Fact]
    public Task A_dot_path_is_refused() =>
        AssertRefused([Dir(".")], StatusCode.InvalidArgument, "\".\"");

    [Fact]
    public Task A_repeated_entry_is_refused() =>
        AssertRefused([File("a", "1"), File("a", "2")], StatusCode.InvalidArgument, "repeated");

    [Fact]
    public Task Entries_out_of_order_are_refused() =>
        AssertRefused([File("b", "1"), File("a", "2")], StatusCode.InvalidArgument, "\"a\"");

    [Fact]
    public Task An_entry_whose_parent_was_not_sent_is_refused() =>
        AssertRefused([File("x/y", "1")], StatusCode.InvalidArgument, "x/y");

    [Fact]
    public Task A_stat_after_the_end_of_the_listing_is_refused() =>
        AssertRefusedRaw(
            call =>
            {
                call.Send(new BuildKit.Protocol.Fsutil.Packet { Type = BuildKit.Protocol.Fsutil.Packet.Types.PacketType.PacketStat });
                call.Send(new BuildKit.Protocol.Fsutil.Packet { Type = BuildKit.Protocol.Fsutil.Packet.Types.PacketType.PacketStat, Stat = File("late", "x").ToStat() });
            },
            "after the end of the listing");

    [Fact]
    public Task Data_that_was_not_requested_is_refused() =>
        AssertRefusedRaw(
            call =>
            {
                call.Send(new BuildKit.Protocol.Fsutil.Packet { Type = BuildKit.Protocol.Fsutil.Packet.Types.PacketType.PacketStat, Stat = Dir("d").ToStat() });
                call.Send(new BuildKit.Protocol.Fsutil.Packet { Type = BuildKit.Protocol.Fsutil.Packet.Types.PacketType.PacketData, ID = 0, Data = Google.Protobuf.ByteString.CopyFromUtf8("into a directory?") });
            },
            "DATA for file 0");

    /// <summary>Runs an export that must fail with <paramref name="code"/>; checks the message and that the destination never appeared.</summary>
    private static async Task AssertRefused(FakeEntry[] entries, StatusCode code, string messagePart)
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");
        var service = new FileSendService([new DirectoryExportTarget(destination)]);
        using var call = new FakeDaemonCall();
        var sender = new FakeFsutilSender(call, entries);

        var error = Assert.IsType<GrpcStatusException>(await RunAsync(service, call, sender));

        Assert.Equal(code, error.StatusCode);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.Empty(Listing(temp.Path));
        Assert.Equal(error.Message, sender.ErrorFromReceiver);
        Assert.False(Assert.Single(service.Transfers).Succeeded);
    }

    private static async Task AssertRefusedRaw(Action<FakeDaemonCall> daemon, string messagePart)
    {
        using var temp = new TempDirectory();
        var service = new FileSendService([new DirectoryExportTarget(Path.Combine(temp.Path, "out"))]);
        using var call = new FakeDaemonCall();
        daemon(call);

        var error = Assert.IsType<GrpcStatusException>(await Capture(Handler(service)(call)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.Empty(Listing(temp.Path));
    }
}
