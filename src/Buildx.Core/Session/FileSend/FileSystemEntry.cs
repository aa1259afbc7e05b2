namespace Buildx.Core.Session.FileSend;

internal enum FileSystemEntryType
{
    Missing,
    Directory,
    SymbolicLink,
    Other,
}

/// <summary>Looks at a path without following a final symlink, and removes entries the same way.</summary>
internal static class FileSystemEntry
{
    public static FileSystemEntryType Probe(string path)
    {
        var info = new FileInfo(path);
        var attributes = info.Attributes;
        if ((int)attributes == -1)
        {
            return FileSystemEntryType.Missing;
        }

        // LinkTarget tells symlinks and junctions apart from other Windows reparse points (cloud files).
        if ((attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is not null)
        {
            return FileSystemEntryType.SymbolicLink;
        }

        return (attributes & FileAttributes.Directory) != 0 ? FileSystemEntryType.Directory : FileSystemEntryType.Other;
    }

    /// <summary>Removes a path: a real directory with its contents, a link as the link itself (never its target).</summary>
    public static void Remove(string path, FileSystemEntryType type)
    {
        switch (type)
        {
            case FileSystemEntryType.Missing:
                return;
            case FileSystemEntryType.Directory:
                // .NET's recursive delete unlinks symlinks it meets instead of descending into them.
                Directory.Delete(path, recursive: true);
                return;
            case FileSystemEntryType.SymbolicLink when (File.GetAttributes(path) & FileAttributes.Directory) != 0:
                Directory.Delete(path, recursive: false);
                return;
            default:
                File.Delete(path);
                return;
        }
    }

    /// <summary>Deletes a directory tree if it exists, swallowing failures: used on cleanup paths only.</summary>
    public static void TryRemoveTree(string path)
    {
        try
        {
            Remove(path, Probe(path));
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
