using Buildx.Core.Session.FileSend;
using Buildx.Core.Session.Grpc;
using Grpc.Core;
using static Buildx.Core.Tests.Session.FileSend.FileSendHarness;
using Buildx.Core.Session;

namespace Buildx.Core.Tests.Session.FileSend;

public class DirectoryExportTests
{
    [Fact]
    public async Task Writes_directories_files_links_modes_and_times()
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");
        var big = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 31)).ToArray();
        var older = SampleTime - 86_400_000_000_000;
        FakeEntry[] entries =
        [
            File("big.bin", big),
            Dir("bin", "750", older),
            File("bin/tool", "#!/bin/sh\n", "755") with { Mode = GoFileMode.Setuid | Octal("755") },
            Dir("empty", "700"),
            File("empty.txt", string.Empty, "600"),
            HardLink("hard", "big.bin"),
            Symlink("link", "bin/tool"),
            Symlink("zoneinfo", "/usr/share/zoneinfo/UTC"),
        ];
        var service = new FileSendService([new DirectoryExportTarget(destination)]);
        using var call = new FakeDaemonCall();
        var sender = new FakeFsutilSender(call, entries) { ChunkSize = 32 * 1024 };

        Assert.Null(await RunAsync(service, call, sender));

        Assert.Equal("#!/bin/sh\n", System.IO.File.ReadAllText(Path.Combine(destination, "bin/tool")));
        Assert.Equal(big, System.IO.File.ReadAllBytes(Path.Combine(destination, "big.bin")));
        Assert.Equal(big, System.IO.File.ReadAllBytes(Path.Combine(destination, "hard")));
        Assert.Empty(System.IO.File.ReadAllBytes(Path.Combine(destination, "empty.txt")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(destination, "empty")));
        Assert.Equal("bin/tool", new FileInfo(Path.Combine(destination, "link")).LinkTarget);
        Assert.Equal("/usr/share/zoneinfo/UTC", new FileInfo(Path.Combine(destination, "zoneinfo")).LinkTarget);

        Assert.Equal(SampleTimeUtc, System.IO.File.GetLastWriteTimeUtc(Path.Combine(destination, "big.bin")));
        Assert.Equal(SampleTimeUtc, System.IO.File.GetLastWriteTimeUtc(Path.Combine(destination, "empty.txt")));
        Assert.Equal(SampleTimeUtc, new FileInfo(Path.Combine(destination, "zoneinfo")).LastWriteTimeUtc);
        Assert.Equal(DateTime.UnixEpoch.AddTicks(older / 100), Directory.GetLastWriteTimeUtc(Path.Combine(destination, "bin")));
        Assert.Equal(SampleTimeUtc, Directory.GetLastWriteTimeUtc(Path.Combine(destination, "empty")));

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal((UnixFileMode)Octal("750"), System.IO.File.GetUnixFileMode(Path.Combine(destination, "bin")));
            Assert.Equal((UnixFileMode)Octal("4755"), System.IO.File.GetUnixFileMode(Path.Combine(destination, "bin/tool")));
            Assert.Equal((UnixFileMode)Octal("600"), System.IO.File.GetUnixFileMode(Path.Combine(destination, "empty.txt")));
            Assert.Equal((UnixFileMode)Octal("700"), System.IO.File.GetUnixFileMode(Path.Combine(destination, "empty")));

            // BuildKit's receiver creates a missing destination 0700.
            Assert.Equal((UnixFileMode)Octal("700"), System.IO.File.GetUnixFileMode(destination));
        }

        Assert.Equal(["big.bin", "bin", "bin/tool", "empty", "empty.txt", "hard", "link", "zoneinfo"], Listing(destination));
        var transfer = Assert.Single(service.Transfers);
        Assert.True(transfer.Succeeded);
        Assert.Equal(destination, transfer.WrittenPath);
        Assert.Equal(big.Length + 10, transfer.BytesReceived);
        Assert.Equal(8, transfer.EntriesWritten);
        Assert.Equal([destination], service.WrittenPaths);
    }

    [Fact]
    public async Task Requests_each_regular_file_by_the_index_of_its_stat()
    {
        using var temp = new TempDirectory();
        FakeEntry[] entries =
        [
            Dir("a"),                    // 0
            File("a/one", "1"),          // 1
            Symlink("a/two", "one"),     // 2
            HardLink("a/zz", "a/one"),   // 3
            File("b", "2"),              // 4
            Dir("dev"),                  // 5
            CharDevice("dev/null"),      // 6
            File("z", "3"),              // 7
        ];
        var service = new FileSendService([new DirectoryExportTarget(Path.Combine(temp.Path, "out"))]);
        using var call = new FakeDaemonCall();
        var sender = new FakeFsutilSender(call, entries);

        Assert.Null(await RunAsync(service, call, sender));

        Assert.Equal([1u, 4u, 7u], sender.Requested.Order());
        Assert.True(sender.FinReceived);
    }

    [Fact]
    public async Task Skips_device_files_and_reports_them()
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");
        var service = new FileSendService([new DirectoryExportTarget(destination)]);
        using var call = new FakeDaemonCall();
        var sender = new FakeFsutilSender(call, [Dir("dev"), CharDevice("dev/null"), File("ok", "fine")]);

        Assert.Null(await RunAsync(service, call, sender));

        Assert.Equal(["dev", "ok"], Listing(destination));
        Assert.Equal(["dev/null (character device)"], Assert.Single(service.Transfers).SkippedEntries);
    }

    [Fact]
    public async Task Writes_into_an_existing_directory_as_buildkit_does()
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");
        temp.Write("out/keep.txt", "mine");
        temp.Write("out/replace.txt", "old");
        temp.Write("out/sub/keep-too.txt", "mine");
        temp.Write("out/was-dir/inner.txt", "old");
        temp.Write("out/was-file", "old");
        var service = new FileSendService([new DirectoryExportTarget(destination)]);
        using var call = new FakeDaemonCall();
        var sender = new FakeFsutilSender(call, [File("replace.txt", "new"), Dir("sub"), File("sub/added.txt", "new"), File("was-dir", "now a file"), Dir("was-file"), File("was-file/x", "x")]);

        Assert.Null(await RunAsync(service, call, sender));

        Assert.Equal(["keep.txt", "replace.txt", "sub", "sub/added.txt", "sub/keep-too.txt", "was-dir", "was-file", "was-file/x"], Listing(destination));
        Assert.Equal("mine", System.IO.File.ReadAllText(Path.Combine(destination, "keep.txt")));
        Assert.Equal("new", System.IO.File.ReadAllText(Path.Combine(destination, "replace.txt")));
        Assert.Equal("now a file", System.IO.File.ReadAllText(Path.Combine(destination, "was-dir")));
    }

    [Fact]
    public async Task Mirror_mode_removes_what_the_export_does_not_contain()
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");
        temp.Write("out/stale.txt", "old");
        temp.Write("out/sub/stale.txt", "old");
        temp.Write("out/sub/kept.txt", "old");
        var service = new FileSendService([new DirectoryExportTarget(destination, removeExtraneous: true)]);
        using var call = new FakeDaemonCall((FileSendMetadata.MultiPlatformTransferKey, "1"));
        var sender = new FakeFsutilSender(call, [Dir("sub"), File("sub/kept.txt", "new"), File("top.txt", "new")]);

        Assert.Null(await RunAsync(service, call, sender));

        Assert.Equal(["sub", "sub/kept.txt", "top.txt"], Listing(destination));
        Assert.Equal("new", System.IO.File.ReadAllText(Path.Combine(destination, "sub/kept.txt")));
    }

    [Fact]
    public async Task Mirror_mode_needs_the_daemons_single_merged_stream()
    {
        using var temp = new TempDirectory();
        temp.Write("out/precious.txt", "mine");
        var service = new FileSendService([new DirectoryExportTarget(Path.Combine(temp.Path, "out"), removeExtraneous: true)]);
        using var call = new FakeDaemonCall();

        var error = await RunAsync(service, call, new FakeFsutilSender(call, [File("a", "a")]));

        Assert.Equal(StatusCode.FailedPrecondition, Assert.IsType<GrpcStatusException>(error).StatusCode);
        Assert.Equal(["out", "out/precious.txt"], Listing(temp.Path));
    }

    [Fact]
    public async Task Streams_for_several_platforms_land_side_by_side()
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");
        var service = new FileSendService([new DirectoryExportTarget(destination)]);
        using var amd64 = new FakeDaemonCall(ExporterId(0));
        using var arm64 = new FakeDaemonCall(ExporterId(0));

        var results = await Task.WhenAll(
            RunAsync(service, amd64, new FakeFsutilSender(amd64, [Dir("linux_amd64"), File("linux_amd64/app", "x86")])),
            RunAsync(service, arm64, new FakeFsutilSender(arm64, [Dir("linux_arm64"), File("linux_arm64/app", "arm")])));

        Assert.All(results, Assert.Null);
        Assert.Equal(["linux_amd64", "linux_amd64/app", "linux_arm64", "linux_arm64/app"], Listing(destination));
        Assert.Equal(2, service.Transfers.Count);
    }

    [Fact]
    public async Task Completes_when_the_daemon_closes_instead_of_leaving_the_call_open()
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");
        var service = new FileSendService([new DirectoryExportTarget(destination)]);
        using var call = new FakeDaemonCall();

        Assert.Null(await RunAsync(service, call, new FakeFsutilSender(call, [File("a", "a")]) { CloseAfterFin = true }));

        Assert.Equal(["a"], Listing(destination));
    }

    [Fact]
    public async Task Read_only_directories_and_files_are_filled_and_can_be_exported_again()
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");
        FakeEntry[] entries = [Dir("ro", "555"), Dir("ro/inner", "500"), File("ro/inner/data", "content", "444")];

        for (var run = 0; run < 2; run++)
        {
            var service = new FileSendService([new DirectoryExportTarget(destination)]);
            using var call = new FakeDaemonCall();
            Assert.Null(await RunAsync(service, call, new FakeFsutilSender(call, entries)));
        }

        Assert.Equal("content", System.IO.File.ReadAllText(Path.Combine(destination, "ro/inner/data")));
        Assert.Equal(["ro", "ro/inner", "ro/inner/data"], Listing(destination));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal((UnixFileMode)Octal("555"), System.IO.File.GetUnixFileMode(Path.Combine(destination, "ro")));
            Assert.Equal((UnixFileMode)Octal("500"), System.IO.File.GetUnixFileMode(Path.Combine(destination, "ro/inner")));
            Assert.Equal((UnixFileMode)Octal("444"), System.IO.File.GetUnixFileMode(Path.Combine(destination, "ro/inner/data")));

            // Let TempDirectory clean up.
            System.IO.File.SetUnixFileMode(Path.Combine(destination, "ro"), (UnixFileMode)Octal("755"));
            System.IO.File.SetUnixFileMode(Path.Combine(destination, "ro/inner"), (UnixFileMode)Octal("755"));
        }
    }

    [Fact]
    public async Task Refuses_a_destination_that_is_a_file()
    {
        using var temp = new TempDirectory();
        var destination = temp.Write("out", "a file");
        var service = new FileSendService([new DirectoryExportTarget(destination)]);
        using var call = new FakeDaemonCall();

        var error = await RunAsync(service, call, new FakeFsutilSender(call, [File("a", "a")]));

        Assert.Equal(StatusCode.FailedPrecondition, Assert.IsType<GrpcStatusException>(error).StatusCode);
        Assert.Equal("a file", System.IO.File.ReadAllText(destination));
    }
}
