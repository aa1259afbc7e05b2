using System.Net.Sockets;
using Buildx.Core.BuildKit.Protocol.Fsutil;
using Buildx.Core.Session.FileSync;

namespace Buildx.Core.Tests.Session.FileSync;

public class ContextWalkerTests
{
    private const uint Directory = 1u << 31;
    private const uint Symlink = 1u << 27;
    private const uint NamedPipe = 1u << 25;
    private const uint Setuid = 1u << 23;
    private const uint Sticky = 1u << 20;
    private const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    [Fact]
    public void Lists_entries_in_fsutil_order_with_go_modes_and_nanosecond_times()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var tree = new TempDirectory();
        tree.Write(".dockerignore", "x");
        tree.Write("B.txt", "B");
        tree.Write("_under", "_");
        tree.Write("a/b.txt", "hello");
        System.IO.Directory.CreateDirectory(Path.Combine(tree.Path, "a/empty"));
        tree.Write("a.txt", "a");
        File.CreateSymbolicLink(Path.Combine(tree.Path, "link-to-a"), "a");
        File.CreateSymbolicLink(Path.Combine(tree.Path, "dangling"), "missing/target");
        tree.Write("exec.sh", "#!/bin/sh");
        tree.Write("setuid.bin", "s");
        System.IO.Directory.CreateDirectory(Path.Combine(tree.Path, "sticky"));
        PosixTestFiles.MakeFifo(Path.Combine(tree.Path, "fifo"));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(tree.Path, "sock")));
        tree.Write("hard1", "linked");
        PosixTestFiles.HardLink(Path.Combine(tree.Path, "hard1"), Path.Combine(tree.Path, "hard2"));
        tree.Write("é/～.txt", "wide tilde");
        tree.Write("é/😀.txt", "emoji");

        File.SetUnixFileMode(Path.Combine(tree.Path, "a"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        File.SetUnixFileMode(Path.Combine(tree.Path, "a/b.txt"), Mode0644);
        File.SetUnixFileMode(Path.Combine(tree.Path, "exec.sh"), Mode0755);
        File.SetUnixFileMode(Path.Combine(tree.Path, "setuid.bin"), Mode0755 | UnixFileMode.SetUser);
        File.SetUnixFileMode(Path.Combine(tree.Path, "sticky"), Mode0755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit);
        File.SetUnixFileMode(Path.Combine(tree.Path, "fifo"), Mode0644);
        PosixTestFiles.SetModificationTime(Path.Combine(tree.Path, "a/b.txt"), 1_700_000_000, 123_456_789);
        PosixTestFiles.SetModificationTime(Path.Combine(tree.Path, "a"), 1_600_000_000, 987_654_321);
        PosixTestFiles.SetModificationTime(Path.Combine(tree.Path, "link-to-a"), 1_500_000_000, 1);

        var stats = Walk(tree.Path).ToDictionary(s => s.Path);
        var paths = Walk(tree.Path).Select(s => s.Path).ToList();

        Assert.Equal(
            [
                ".dockerignore", "B.txt", "_under", "a", "a/b.txt", "a/empty", "a.txt", "dangling", "exec.sh", "fifo",
                "hard1", "hard2", "link-to-a", "setuid.bin", "sock", "sticky", "é", "é/～.txt", "é/😀.txt",
            ],
            paths);
        AssertAcceptedByReceiver(stats.Values.OrderBy(s => paths.IndexOf(s.Path)));

        Assert.Equal(Directory | 0x1E8u, stats["a"].Mode); // 0750
        Assert.Equal(0, stats["a"].Size);
        Assert.Equal(1_600_000_000_987_654_321, stats["a"].ModTime);
        Assert.Equal(0x1A4u, stats["a/b.txt"].Mode); // 0644
        Assert.Equal(5, stats["a/b.txt"].Size);
        Assert.Equal(1_700_000_000_123_456_789, stats["a/b.txt"].ModTime);
        Assert.Equal(Directory, stats["a/empty"].Mode & Directory);
        Assert.Equal(0x1EDu, stats["exec.sh"].Mode); // 0755
        Assert.Equal(Setuid | 0x1EDu, stats["setuid.bin"].Mode);
        Assert.Equal(Directory | Sticky | 0x1FFu, stats["sticky"].Mode);
        Assert.Equal(NamedPipe | 0x1A4u, stats["fifo"].Mode);

        // Symlinks are sent as links, with their own time, never followed.
        Assert.Equal(Symlink | 0x1FFu, stats["link-to-a"].Mode);
        Assert.Equal("a", stats["link-to-a"].Linkname);
        Assert.Equal(1, stats["link-to-a"].Size);
        Assert.Equal(1_500_000_000_000_000_001, stats["link-to-a"].ModTime);
        Assert.Equal("missing/target", stats["dangling"].Linkname);
        Assert.Equal(14, stats["dangling"].Size);

        // Sockets lose their type bit, as in fsutil, so they look like (requestable) files.
        Assert.Equal(0u, stats["sock"].Mode & 0xFFFFFE00u);

        // The second name of a hard link points at the first one and keeps the size.
        Assert.Equal(string.Empty, stats["hard1"].Linkname);
        Assert.Equal("hard1", stats["hard2"].Linkname);
        Assert.Equal(6, stats["hard2"].Size);

        Assert.All(stats.Values, s => Assert.Equal((0u, 0u), (s.Uid, s.Gid)));
        Assert.All(stats.Values, s => Assert.Empty(s.Xattrs));
    }

    [Fact]
    public void A_hard_link_whose_first_name_is_excluded_is_sent_as_a_file()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var tree = new TempDirectory();
        tree.Write("a-first", "linked");
        PosixTestFiles.HardLink(Path.Combine(tree.Path, "a-first"), Path.Combine(tree.Path, "b-second"));
        PosixTestFiles.HardLink(Path.Combine(tree.Path, "a-first"), Path.Combine(tree.Path, "c-third"));

        var stats = Walk(tree.Path, exclude: ["a-first"]);

        Assert.Equal(["b-second", "c-third"], stats.Select(s => s.Path));
        Assert.Equal(string.Empty, stats[0].Linkname);
        Assert.Equal("b-second", stats[1].Linkname);
    }

    [Fact]
    public void An_exception_re_includes_a_file_and_sends_its_excluded_directory_first()
    {
        using var tree = new TempDirectory();
        tree.Write("docs/README.md", "r");
        tree.Write("docs/other.md", "o");
        tree.Write("docs/sub/x.md", "x");
        tree.Write("src/app.cs", "a");

        var stats = Walk(tree.Path, exclude: ["docs", "!docs/README.md"]);

        Assert.Equal(["docs", "docs/README.md", "src", "src/app.cs"], stats.Select(s => s.Path));
        Assert.True((stats[0].Mode & Directory) != 0);
    }

    [Fact]
    public void A_wildcard_exception_walks_into_excluded_directories()
    {
        using var tree = new TempDirectory();
        tree.Write("build/out/x.keep", "k");
        tree.Write("build/out/x.o", "o");
        tree.Write("build/y.o", "o");
        tree.Write("top.keep", "t");

        var stats = Walk(tree.Path, exclude: ["build", "!**/*.keep"]);

        Assert.Equal(["build", "build/out", "build/out/x.keep", "top.keep"], stats.Select(s => s.Path));
    }

    [Fact]
    public void Excludes_files_and_whole_directories_without_walking_them()
    {
        using var tree = new TempDirectory();
        tree.Write("node_modules/lib/deep/index.js", "x");
        tree.Write("app/debug.log", "l");
        tree.Write("app/main.js", "m");
        tree.Write("important.log", "i");
        tree.Write("Dockerfile", "FROM scratch");
        var reader = new RecordingStatReader(FileStatReader.Create());

        var stats = Walk(tree.Path, exclude: ["node_modules", "**/*.log", "!important.log"], statReader: reader);

        Assert.Equal(["Dockerfile", "app", "app/main.js", "important.log"], stats.Select(s => s.Path));
        Assert.DoesNotContain(reader.Paths, p => p.Contains("node_modules/", StringComparison.Ordinal));
    }

    [Fact]
    public void Includes_only_matches_and_the_directories_that_lead_to_them()
    {
        using var tree = new TempDirectory();
        tree.Write("src/app/a.cs", "a");
        tree.Write("src/app/b.txt", "b");
        tree.Write("src/lib/c.cs", "c");
        tree.Write("src/lib/sub/d.cs", "d");
        tree.Write("README.md", "r");
        System.IO.Directory.CreateDirectory(Path.Combine(tree.Path, "src/lib/empty"));

        Assert.Equal(["src", "src/app", "src/app/a.cs"], Walk(tree.Path, include: ["src/app/*.cs"]).Select(s => s.Path));
        Assert.Equal(
            ["src", "src/lib", "src/lib/c.cs", "src/lib/empty", "src/lib/sub", "src/lib/sub/d.cs"],
            Walk(tree.Path, include: ["src/lib"]).Select(s => s.Path));
        // Unlike .gitignore, a trailing slash does not limit a pattern to directories.
        Assert.Equal(["src", "src/lib"], Walk(tree.Path, include: ["src/lib"], exclude: ["src/lib/*/"]).Select(s => s.Path));
        Assert.Equal(["src", "src/lib", "src/lib/c.cs", "src/lib/empty"], Walk(tree.Path, include: ["src/lib"], exclude: ["src/lib/sub"]).Select(s => s.Path));
    }

    [Fact]
    public void Followpaths_bring_a_symlinked_dockerfile_and_its_target()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var tree = new TempDirectory();
        tree.Write("build/Dockerfile.real", "FROM scratch");
        tree.Write("build/other", "o");
        tree.Write("src/x", "x");
        File.CreateSymbolicLink(Path.Combine(tree.Path, "Dockerfile"), "build/Dockerfile.real");

        var stats = Walk(tree.Path, followPaths: ["Dockerfile", "Dockerfile.dockerignore", "dockerfile"]);

        Assert.Equal(["Dockerfile", "build", "build/Dockerfile.real"], stats.Select(s => s.Path));
        Assert.Equal("build/Dockerfile.real", stats[0].Linkname);
    }

    [Fact]
    public void Followpaths_resolve_symlinks_along_the_path_inside_the_root()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var tree = new TempDirectory();
        tree.Write("real/file.txt", "f");
        tree.Write("real/other.txt", "o");
        File.CreateSymbolicLink(Path.Combine(tree.Path, "linkdir"), "real");
        File.CreateSymbolicLink(Path.Combine(tree.Path, "absolute"), "/real/other.txt");
        File.CreateSymbolicLink(Path.Combine(tree.Path, "escape"), "../../real/file.txt");
        var reader = FileStatReader.Create();

        Assert.Equal(["linkdir", "real/file.txt"], FollowPathResolver.Resolve(tree.Path, ["linkdir/file.txt"], reader));
        Assert.Equal(["absolute", "real/other.txt"], FollowPathResolver.Resolve(tree.Path, ["/absolute"], reader));
        Assert.Equal(["escape", "real/file.txt"], FollowPathResolver.Resolve(tree.Path, ["escape"], reader));
        Assert.Equal(["a", "b/c"], FollowPathResolver.Resolve(tree.Path, ["b/c", "a", "a/inside"], reader));
        Assert.Null(FollowPathResolver.Resolve(tree.Path, ["x", "."], reader));
        // A wildcard element follows every symlink it matches.
        Assert.Equal(["link*", "real"], FollowPathResolver.Resolve(tree.Path, ["link*"], reader));
    }

    [Fact]
    public void A_followpath_of_the_root_means_no_include_rule()
    {
        using var tree = new TempDirectory();
        tree.Write("a", "a");
        tree.Write("b/c", "c");

        Assert.Equal(["a", "b", "b/c"], Walk(tree.Path, followPaths: ["."]).Select(s => s.Path));
    }

    [Fact]
    public void A_pattern_go_cannot_compile_fails_the_walk_once_it_is_used()
    {
        using var tree = new TempDirectory();
        tree.Write("kept.txt", "k");

        Assert.Equal(["kept.txt"], Walk(tree.Path, exclude: ["*.tmp", @"!\é"]).Select(s => s.Path));

        tree.Write("scratch.tmp", "s");
        var error = Assert.Throws<FormatException>(() => Walk(tree.Path, exclude: ["*.tmp", @"!\é"]));
        Assert.StartsWith("failed to match excludepatterns", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_include_list_of_blank_patterns_includes_nothing()
    {
        using var tree = new TempDirectory();
        tree.Write("a", "a");

        Assert.Empty(Walk(tree.Path, include: [" "]));
    }

    [Fact]
    public void Walks_a_larger_tree_in_an_order_the_receiver_accepts()
    {
        using var tree = new TempDirectory();
        string[] names = ["a", "a.b", "a-b", "a_b", "A", "Z", "é", "😀", "～", "0", "a b"];
        foreach (var first in names)
        {
            foreach (var second in names.Take(5))
            {
                tree.Write($"{first}/{second}/f", first + second);
                tree.Write($"{first}/{second}.txt", second);
            }
        }

        var stats = Walk(tree.Path, exclude: ["**/a.b", "!é/a.b"]);

        AssertAcceptedByReceiver(stats);
        Assert.Contains(stats, s => s.Path == "é/a.b/f");
        Assert.DoesNotContain(stats, s => s.Path == "a/a.b/f");
    }

    [Fact]
    public void The_managed_fallback_agrees_with_statx_to_100_nanoseconds()
    {
        if (!OperatingSystem.IsLinux() || !LinuxStatxReader.IsSupported)
        {
            return;
        }

        using var tree = new TempDirectory();
        tree.Write("dir/file", "content");
        File.SetUnixFileMode(Path.Combine(tree.Path, "dir/file"), Mode0755 | UnixFileMode.SetGroup);
        File.CreateSymbolicLink(Path.Combine(tree.Path, "link"), "dir/file");
        PosixTestFiles.SetModificationTime(Path.Combine(tree.Path, "dir/file"), 1_700_000_000, 123_456_789);

        var exact = Walk(tree.Path, statReader: new LinuxStatxReader());
        var managed = Walk(tree.Path, statReader: new ManagedFileStatReader());

        Assert.Equal(exact.Select(s => (s.Path, s.Mode, s.Size, s.Linkname)), managed.Select(s => (s.Path, s.Mode, s.Size, s.Linkname)));
        Assert.Equal(1_700_000_000_123_456_700, managed.Single(s => s.Path == "dir/file").ModTime);
    }

    private static List<Stat> Walk(
        string root,
        string[]? include = null,
        string[]? exclude = null,
        string[]? followPaths = null,
        IFileStatReader? statReader = null)
    {
        statReader ??= FileStatReader.Create();
        var filter = ContextFilter.Create(root, include ?? [], exclude ?? [], followPaths ?? [], statReader);
        return new ContextWalker(root, filter, statReader).Walk(CancellationToken.None).Select(e => e.Stat).ToList();
    }

    private static void AssertAcceptedByReceiver(IEnumerable<Stat> stats)
    {
        var validator = new FsutilOrderValidator();
        foreach (var stat in stats)
        {
            validator.Add(stat.Path, (stat.Mode & Directory) != 0);
        }
    }

    /// <summary>Records every path the walker looks at.</summary>
    private sealed class RecordingStatReader(IFileStatReader inner) : IFileStatReader
    {
        public List<string> Paths { get; } = [];

        public bool TryGetStatus(string fullPath, out LocalFileStatus status)
        {
            Paths.Add(fullPath);
            return inner.TryGetStatus(fullPath, out status);
        }
    }
}
