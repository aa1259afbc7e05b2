namespace Buildx.Core.Session.FileSend;

/// <summary>
/// Creates validated entries under a private staging directory. Every creation is exclusive: the
/// staging directory starts empty and the validator admits each path once, so finding something
/// already there means a case-insensitive or normalizing file system folded two names together,
/// and going on could write through a symlink.
/// Directory modes and times are not applied here but after the tree is moved into place
/// (<see cref="Directories"/>): a read-only directory could not be filled or moved otherwise.
/// </summary>
internal sealed class StagingTreeWriter(string root)
{
    // Owner-only while receiving, so nobody else can tamper with the tree before it is moved into place.
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly List<ExportEntry> directories = [];
    private readonly List<string> skipped = [];

    public string Root { get; } = root;

    /// <summary>The directories received, in stream order (a parent before its children).</summary>
    public IReadOnlyList<ExportEntry> Directories => directories;

    /// <summary>Entries that were not created (devices, pipes, sockets), as "path (what)".</summary>
    public IReadOnlyList<string> SkippedEntries => skipped;

    public int EntriesCreated { get; private set; }

    /// <summary>Creates the entry; for a regular file, returns it so its content can be requested.</summary>
    public IncomingFile? Create(ExportEntry entry)
    {
        var fullPath = Path.Join(Root, entry.NativePath);
        switch (entry.Kind)
        {
            case ExportEntryKind.Directory:
                if (FileSystemEntry.Probe(fullPath) != FileSystemEntryType.Missing)
                {
                    throw FileSendErrors.Invalid(entry.Path, "it collides with an entry already written (a case-insensitive or normalizing file system?)");
                }

                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(fullPath);
                }
                else
                {
                    Directory.CreateDirectory(fullPath, PrivateDirectory);
                }

                directories.Add(entry);
                break;

            case ExportEntryKind.RegularFile:
                CreateEmptyFile(fullPath);
                EntriesCreated++;
                return new IncomingFile(fullPath, entry);

            case ExportEntryKind.HardLink:
                NativeHardLink.Create(Path.Join(Root, entry.LinkTarget.Replace('/', Path.DirectorySeparatorChar)), fullPath);
                break;

            case ExportEntryKind.SymbolicLink:
                File.CreateSymbolicLink(fullPath, entry.LinkTarget);

                // Since .NET 7 these set the link's own times, never its target's.
                File.SetLastAccessTimeUtc(fullPath, entry.ModifiedUtc);
                File.SetLastWriteTimeUtc(fullPath, entry.ModifiedUtc);
                break;

            case ExportEntryKind.Special:
                skipped.Add($"{entry.Path} ({entry.Description})");
                return null;
        }

        EntriesCreated++;
        return null;
    }

    private static void CreateEmptyFile(string fullPath)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFile;
        }

        new FileStream(fullPath, options).Dispose();
    }
}
