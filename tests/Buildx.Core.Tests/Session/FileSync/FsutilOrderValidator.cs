namespace Buildx.Core.Tests.Session.FileSync;

/// <summary>
/// The receiver's order check (fsutil validator.go), restated: clean relative paths, no escape, every entry's
/// parent sent before it and still open, names within a directory strictly increasing by UTF-8 bytes.
/// </summary>
internal sealed class FsutilOrderValidator
{
    private readonly List<(string Directory, string LastName)> openDirectories = [(string.Empty, string.Empty)];

    public void Add(string path, bool isDirectory)
    {
        if (path.Length == 0 || path.StartsWith('/') || path.EndsWith('/') || path.Contains("//", StringComparison.Ordinal)
            || path.Split('/').Any(element => element is "." or ".."))
        {
            throw new InvalidOperationException($"unclean or escaping path {path}");
        }

        var separator = path.LastIndexOf('/');
        var directory = separator < 0 ? string.Empty : path[..separator];
        var name = path[(separator + 1)..];

        // Leave the directories this entry is not inside.
        while (openDirectories.Count > 1 && !IsInside(directory, openDirectories[^1].Directory))
        {
            openDirectories.RemoveAt(openDirectories.Count - 1);
        }

        var (current, lastName) = openDirectories[^1];
        if (current != directory || CompareUtf8(lastName, name) >= 0)
        {
            throw new InvalidOperationException($"changes out of order: {path} after {current}/{lastName}");
        }

        openDirectories[^1] = (current, name);
        if (isDirectory)
        {
            openDirectories.Add((path, string.Empty));
        }
    }

    private static bool IsInside(string directory, string candidateParent) =>
        directory == candidateParent || directory.StartsWith(candidateParent + "/", StringComparison.Ordinal);

    private static int CompareUtf8(string x, string y)
    {
        var left = System.Text.Encoding.UTF8.GetBytes(x);
        var right = System.Text.Encoding.UTF8.GetBytes(y);
        return left.AsSpan().SequenceCompareTo(right);
    }
}
