using System.IO.Enumeration;
using Buildx.Core.Text;

namespace Buildx.Core.Session.FileSync;

/// <summary>Directory listings and link targets as the Go client reads them.</summary>
internal static class LocalDirectory
{
    private static readonly EnumerationOptions AllEntries = new()
    {
        // The default skips "hidden" entries, which on Unix means every dot file.
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>Entry names sorted as Go's os.ReadDir sorts them (by UTF-8 bytes).</summary>
    public static string[] ListNames(string fullPath)
    {
        var names = new FileSystemEnumerable<string>(fullPath, static (ref FileSystemEntry entry) => entry.FileName.ToString(), AllEntries).ToArray();
        Array.Sort(names, GoStringComparer.Instance);
        return names;
    }

    /// <summary>The raw target text of a symlink (readlink), not resolved.</summary>
    public static string ReadLink(string fullPath) =>
        new FileInfo(fullPath).LinkTarget ?? throw new IOException($"readlink {fullPath}: not a symbolic link");
}
