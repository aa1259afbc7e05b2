namespace Buildx.Core.Session.FileSend;

internal enum ExportEntryKind
{
    Directory,
    RegularFile,
    HardLink,
    SymbolicLink,

    /// <summary>Devices, named pipes, sockets: never created (see <see cref="ExportEntryValidator"/>).</summary>
    Special,
}

/// <summary>One validated STAT entry of a directory export.</summary>
/// <param name="Path">The wire path: relative, slash-separated, already checked by <see cref="ExportPathRules"/>.</param>
/// <param name="Kind">What to create.</param>
/// <param name="Mode">Unix permission bits to apply, including setuid, setgid and sticky.</param>
/// <param name="ModifiedUtc">The modification time (fsutil sends Unix nanoseconds).</param>
/// <param name="LinkTarget">A symlink's target verbatim, or a hard link's wire path to an earlier regular file; otherwise empty.</param>
/// <param name="Description">For <see cref="ExportEntryKind.Special"/>: what the entry is, for the skip report.</param>
internal sealed record ExportEntry(
    string Path,
    ExportEntryKind Kind,
    UnixFileMode Mode,
    DateTime ModifiedUtc,
    string LinkTarget,
    string Description)
{
    /// <summary>The path with the platform's separator, for joining under a local directory.</summary>
    public string NativePath => System.IO.Path.DirectorySeparatorChar == '/' ? Path : Path.Replace('/', System.IO.Path.DirectorySeparatorChar);

    /// <summary>Converts fsutil's nanoseconds since the Unix epoch (100 ns is the finest .NET keeps).</summary>
    public static DateTime FromUnixNanoseconds(long nanoseconds) => DateTime.UnixEpoch.AddTicks(nanoseconds / 100);
}
