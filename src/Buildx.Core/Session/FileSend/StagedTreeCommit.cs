namespace Buildx.Core.Session.FileSend;

/// <summary>
/// Moves a completely received staging tree into the destination directory, the way fsutil's
/// receiver (Merge=true) writes into an existing directory: directories merge, every other received
/// entry replaces what was at its path, entries the export does not mention stay, unless
/// <c>removeExtraneous</c> (buildx <c>mode=delete</c>) mirrors the export instead.
/// Existing entries are examined without following symlinks, so a symlink already in the destination
/// is replaced, never written through.
/// </summary>
internal static class StagedTreeCommit
{
    // Where names fold case, an entry merged in under another spelling must not count as extraneous.
    private static readonly StringComparer NameComparer =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>Moves the contents of <paramref name="staging"/> (itself inside <paramref name="destination"/>) into place.</summary>
    public static void MoveInto(string staging, string destination, bool removeExtraneous)
    {
        var stagingName = Path.GetFileName(staging);
        MergeDirectory(staging, destination, removeExtraneous, keep: stagingName);
    }

    /// <summary>
    /// Applies directory modes and times once everything is in place, children before parents:
    /// moving entries in would have changed the times, and a read-only mode would have blocked the moves.
    /// </summary>
    public static void ApplyDirectoryMetadata(string destination, IReadOnlyList<ExportEntry> directories)
    {
        for (var i = directories.Count - 1; i >= 0; i--)
        {
            var directory = directories[i];
            var path = Path.Join(destination, directory.NativePath);
            if (FileSystemEntry.Probe(path) != FileSystemEntryType.Directory)
            {
                continue;
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, directory.Mode);
            }

            Directory.SetLastAccessTimeUtc(path, directory.ModifiedUtc);
            Directory.SetLastWriteTimeUtc(path, directory.ModifiedUtc);
        }
    }

    private static void MergeDirectory(string source, string target, bool removeExtraneous, string? keep)
    {
        var isDestinationRoot = keep is not null;
        if (!isDestinationRoot)
        {
            MakeOwnerWritable(target);
        }

        var received = new HashSet<string>(NameComparer);
        foreach (var sourceEntry in Directory.EnumerateFileSystemEntries(source))
        {
            var name = Path.GetFileName(sourceEntry);
            received.Add(name);
            var targetEntry = Path.Join(target, name);
            var sourceType = FileSystemEntry.Probe(sourceEntry);
            var targetType = FileSystemEntry.Probe(targetEntry);
            if (sourceType == FileSystemEntryType.Directory && targetType == FileSystemEntryType.Directory)
            {
                MergeDirectory(sourceEntry, targetEntry, removeExtraneous, keep: null);
                continue;
            }

            if (sourceType == FileSystemEntryType.Other && targetType is FileSystemEntryType.Other or FileSystemEntryType.SymbolicLink)
            {
                // rename(2) replaces a file or a link atomically.
                File.Move(sourceEntry, targetEntry, overwrite: true);
                continue;
            }

            FileSystemEntry.Remove(targetEntry, targetType);

            // Directory.Move is a plain rename for any entry type, symlinks included (File.Move
            // refuses a symlink whose target is a directory).
            Directory.Move(sourceEntry, targetEntry);
        }

        if (!removeExtraneous)
        {
            return;
        }

        foreach (var targetEntry in Directory.EnumerateFileSystemEntries(target))
        {
            var name = Path.GetFileName(targetEntry);
            if (!received.Contains(name) && !NameComparer.Equals(name, keep))
            {
                FileSystemEntry.Remove(targetEntry, FileSystemEntry.Probe(targetEntry));
            }
        }
    }

    /// <summary>A directory left read-only by an earlier export must accept entries; its export mode is reapplied afterwards.</summary>
    private static void MakeOwnerWritable(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode ownerAccess = UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var mode = File.GetUnixFileMode(directory);
        if ((mode & ownerAccess) != ownerAccess)
        {
            File.SetUnixFileMode(directory, mode | ownerAccess);
        }
    }
}
