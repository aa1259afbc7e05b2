using Buildx.Core.Text;
namespace Buildx.Core.Session.FileSync;

/// <summary>
/// Turns <c>followpaths</c> into include patterns as fsutil's FollowLinks does: each path is walked element by
/// element from the root; a symlink on the way is kept itself and its target (resolved inside the root, an
/// absolute target meaning root-relative) is followed with the rest of the path. The frontend uses this to
/// fetch a Dockerfile that is a symlink together with the file it points to.
/// </summary>
internal sealed class FollowPathResolver
{
    private readonly string root;
    private readonly IFileStatReader statReader;
    private readonly HashSet<string> resolved = new(StringComparer.Ordinal);

    private FollowPathResolver(string root, IFileStatReader statReader)
    {
        this.root = root;
        this.statReader = statReader;
    }

    /// <summary>
    /// Sorted, de-duplicated relative paths (a path under another listed path is dropped), or null when one of
    /// them is the root itself, meaning "no restriction".
    /// </summary>
    public static List<string>? Resolve(string root, IEnumerable<string> followPaths, IFileStatReader statReader)
    {
        var resolver = new FollowPathResolver(root, statReader);
        foreach (var path in followPaths)
        {
            resolver.Append(path);
        }

        var paths = resolver.resolved.ToList();
        paths.Sort(GoStringComparer.Instance);
        return DedupeSortedPaths(paths);
    }

    /// <summary>fsutil dedupePaths: drops entries inside the previous kept one; "." anywhere means no filter.</summary>
    internal static List<string>? DedupeSortedPaths(IEnumerable<string> paths)
    {
        var kept = new List<string>();
        var last = string.Empty;
        foreach (var path in paths)
        {
            if (path == ".")
            {
                return null;
            }

            if (path.StartsWith(last + "/", StringComparison.Ordinal))
            {
                continue;
            }

            kept.Add(path);
            last = path;
        }

        return kept;
    }

    private void Append(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            path = path.Replace('\\', '/');
            if (path.Length >= 2 && path[1] == ':')
            {
                path = path[2..];
            }
        }

        var remaining = GoPath.Join(".", path);
        var current = ".";
        while (true)
        {
            var separator = remaining.IndexOf('/', StringComparison.Ordinal);
            var element = separator < 0 ? remaining : remaining[..separator];
            remaining = separator < 0 ? string.Empty : remaining[(separator + 1)..];
            current = GoPath.Join(current, element);

            var targets = ReadSymlink(current, allowWildcard: true);
            if ((remaining.Length == 0 || targets is not null) && resolved.Contains(current))
            {
                return;
            }

            if (targets is not null)
            {
                resolved.Add(current);
                foreach (var target in targets)
                {
                    Append(GoPath.Join(target, remaining));
                }

                return;
            }

            if (remaining.Length == 0)
            {
                resolved.Add(current);
                return;
            }
        }
    }

    /// <summary>The root-anchored targets of the symlink(s) at <paramref name="path"/>, or null if it is not a symlink.</summary>
    private List<string>? ReadSymlink(string path, bool allowWildcard)
    {
        var name = GoPath.Base(path);
        if (allowWildcard && GoGlob.ContainsWildcards(name))
        {
            var parent = GoPath.Dir(path);
            var names = TryListNames(parent);
            if (names is null)
            {
                return null;
            }

            List<string>? targets = null;
            foreach (var candidate in names)
            {
                if (MatchesIgnoringErrors(name, candidate) && ReadSymlink(GoPath.Join(parent, candidate), allowWildcard: false) is { } found)
                {
                    (targets ??= []).AddRange(found);
                }
            }

            return targets;
        }

        if (path is "." or "/")
        {
            return null;
        }

        var fullPath = Path.Join(root, path);
        if (!statReader.TryGetStatus(fullPath, out var status) || !status.IsSymlink)
        {
            return null;
        }

        var link = LocalDirectory.ReadLink(fullPath);
        link = GoPath.Clean(OperatingSystem.IsWindows() ? link.Replace('\\', '/') : link);
        return GoPath.IsAbsolute(link) ? [link] : [GoPath.Join("/", GoPath.Join(GoPath.Dir(path), link))];
    }

    private string[]? TryListNames(string relativeDirectory)
    {
        var fullPath = relativeDirectory == "." ? root : Path.Join(root, relativeDirectory);
        try
        {
            return LocalDirectory.ListNames(fullPath);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            return null;
        }
        catch (IOException) when (!Directory.Exists(fullPath))
        {
            // A file where a directory was expected (ENOTDIR).
            return null;
        }
    }

    private static bool MatchesIgnoringErrors(string pattern, string name)
    {
        try
        {
            return GoGlob.Match(pattern, name);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
