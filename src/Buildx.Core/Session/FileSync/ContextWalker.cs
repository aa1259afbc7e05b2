using Buildx.Core.BuildKit.Protocol.Fsutil;
using Buildx.Core.Session;

namespace Buildx.Core.Session.FileSync;

/// <summary>
/// Lists a local directory in the order and form fsutil's sender does, so that BuildKit's receiver accepts it:
/// depth first, each directory's entries sorted by UTF-8 bytes, a directory before its entries; relative
/// slash-separated paths; symlinks as links (never followed); Go file modes; nanosecond times; owner 0:0.
/// Filtered entries are left out, but a directory that is itself filtered out is still sent just before the
/// first entry inside it that is kept (for example a file re-included by a <c>!</c> exception).
/// </summary>
internal sealed class ContextWalker
{
    private readonly string root;
    private readonly ContextFilter filter;
    private readonly IFileStatReader statReader;

    public ContextWalker(string root, ContextFilter filter, IFileStatReader statReader)
    {
        this.root = root;
        this.filter = filter;
        this.statReader = statReader;
    }

    /// <summary>The entries, produced lazily while walking (the caller can send each one as it comes).</summary>
    /// <exception cref="IOException">A directory that is sent cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">A directory that is sent cannot be read.</exception>
    public IEnumerable<ContextEntry> Walk(CancellationToken cancellationToken)
    {
        // The open directories from the root down; entries are taken from the deepest one.
        var openDirectories = new List<OpenDirectory>
        {
            new(string.Empty, root, LocalDirectory.ListNames(root), null, default, default, sent: true),
        };
        // The first path sent for each inode, for hard links.
        var firstPathOfFile = new Dictionary<(ulong Device, ulong Inode), string>();

        while (openDirectories.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var directory = openDirectories[^1];
            if (directory.NextIndex == directory.Names.Length)
            {
                openDirectories.RemoveAt(openDirectories.Count - 1);
                continue;
            }

            var name = directory.Names[directory.NextIndex++];
            var relativePath = directory.RelativePath.Length == 0 ? name : directory.RelativePath + "/" + name;
            var fullPath = Path.Join(directory.FullPath, name);
            if (!statReader.TryGetStatus(fullPath, out var status))
            {
                // Removed since the listing.
                continue;
            }

            var isDirectory = status.IsDirectory;
            var filteredOut = false;
            PatternMatchInfo includeInfo = default;
            PatternMatchInfo excludeInfo = default;
            if (filter.Include is { } include && !Match(include, relativePath, directory.IncludeInfo, out includeInfo, "includepatterns"))
            {
                if (isDirectory && !filter.IncludeMayMatchInside(relativePath))
                {
                    continue;
                }

                filteredOut = true;
            }

            if (filter.Exclude is { } exclude && Match(exclude, relativePath, directory.ExcludeInfo, out excludeInfo, "excludepatterns"))
            {
                if (isDirectory && !filter.ExceptionMayMatchInside(relativePath))
                {
                    continue;
                }

                filteredOut = true;
            }

            Stat? stat = null;
            if (!filteredOut)
            {
                // Directories that were filtered out but hold this entry go first, outermost first.
                foreach (var ancestor in openDirectories)
                {
                    if (!ancestor.Sent)
                    {
                        ancestor.Sent = true;
                        yield return new ContextEntry(ancestor.Stat!, ancestor.FullPath);
                    }
                }

                stat = CreateStat(relativePath, fullPath, status);
                if (!isDirectory && !status.IsSymlink && status.LinkCount > 1 && status.FileId != default)
                {
                    // Later links to a file already sent name it instead of carrying content.
                    if (firstPathOfFile.TryGetValue(status.FileId, out var firstPath))
                    {
                        stat.Linkname = firstPath;
                    }
                    else
                    {
                        firstPathOfFile.Add(status.FileId, relativePath);
                    }
                }

                yield return new ContextEntry(stat, fullPath);
            }

            if (isDirectory && TryListNames(fullPath, filteredOut) is { } names)
            {
                stat ??= CreateStat(relativePath, fullPath, status);
                openDirectories.Add(new OpenDirectory(relativePath, fullPath, names, stat, includeInfo, excludeInfo, sent: !filteredOut));
            }
        }
    }

    private static bool Match(DockerIgnorePatterns patterns, string path, PatternMatchInfo parentInfo, out PatternMatchInfo info, string kind)
    {
        try
        {
            return patterns.MatchesUsingParentResults(path, parentInfo, out info);
        }
        catch (FormatException e)
        {
            throw new FormatException($"failed to match {kind}: {e.Message}", e);
        }
    }

    private static Stat CreateStat(string relativePath, string fullPath, LocalFileStatus status)
    {
        var stat = new Stat
        {
            Path = relativePath,
            // archive/tar cannot represent sockets, so fsutil sends them without their type bit.
            Mode = status.Mode & ~GoFileMode.Socket,
            // buildx resets ownership on everything it sends: Uid and Gid stay 0.
            ModTime = status.ModTimeNanoseconds,
            Devmajor = status.DeviceMajor,
            Devminor = status.DeviceMinor,
        };
        if (!status.IsDirectory)
        {
            stat.Size = status.Size;
        }

        if (status.IsSymlink)
        {
            var target = LocalDirectory.ReadLink(fullPath);
            stat.Linkname = OperatingSystem.IsWindows() ? target.Replace('\\', '/') : target;
        }

        return stat;
    }

    /// <summary>
    /// Lists a directory to descend into. An unreadable directory fails the walk when it is sent, as in the Go
    /// client; one that is filtered out is passed over (for example an excluded, root-owned cache directory).
    /// </summary>
    private static string[]? TryListNames(string fullPath, bool filteredOut)
    {
        try
        {
            return LocalDirectory.ListNames(fullPath);
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (filteredOut)
        {
            return null;
        }
    }

    private sealed class OpenDirectory(
        string relativePath,
        string fullPath,
        string[] names,
        Stat? stat,
        PatternMatchInfo includeInfo,
        PatternMatchInfo excludeInfo,
        bool sent)
    {
        public string RelativePath { get; } = relativePath;

        public string FullPath { get; } = fullPath;

        public string[] Names { get; } = names;

        /// <summary>Null only for the root, which is never sent.</summary>
        public Stat? Stat { get; } = stat;

        public PatternMatchInfo IncludeInfo { get; } = includeInfo;

        public PatternMatchInfo ExcludeInfo { get; } = excludeInfo;

        public int NextIndex { get; set; }

        /// <summary>Whether its Stat has been sent (or never needs to be).</summary>
        public bool Sent { get; set; } = sent;
    }
}
