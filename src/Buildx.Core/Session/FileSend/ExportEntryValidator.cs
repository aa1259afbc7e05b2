using Buildx.Core.BuildKit.Protocol.Fsutil;
using Buildx.Core.Session;

namespace Buildx.Core.Session.FileSend;

/// <summary>
/// Checks each STAT of a directory export before anything is created for it, and classifies it.
/// <list type="bullet">
/// <item>Paths must pass <see cref="ExportPathRules"/>.</item>
/// <item>Order, as fsutil's Validator: a depth-first walk where every entry's parent is a directory
/// sent earlier in the stream and siblings come in strictly increasing byte order. This is what makes
/// writing "through" an entry impossible: a child of a symlink or file has no open parent directory.</item>
/// <item>Hard links, as fsutil's Hardlinks validator: the target must be a regular file sent earlier.</item>
/// <item>Devices, named pipes and sockets are classified <see cref="ExportEntryKind.Special"/> and never
/// created: an unprivileged mknod fails (fsutil would fail the whole export), and device nodes in an
/// output directory are a hazard rather than a build result.</item>
/// </list>
/// </summary>
internal sealed class ExportEntryValidator(bool windowsRules)
{
    private readonly List<OpenDirectory> openDirectories = [new(string.Empty)];
    private readonly HashSet<string> regularFiles = new(StringComparer.Ordinal);

    public ExportEntry Accept(Stat stat)
    {
        var path = stat.Path;
        if (ExportPathRules.Check(path, windowsRules) is { } violation)
        {
            throw violation.Escapes ? FileSendErrors.Refused(path, violation.Reason) : FileSendErrors.Invalid(path, violation.Reason);
        }

        var mode = stat.Mode;
        var isDirectory = (mode & GoFileMode.Directory) != 0;
        CheckOrder(path, isDirectory);

        var kind = Classify(mode, stat.Linkname);
        var linkTarget = kind switch
        {
            ExportEntryKind.HardLink => CheckHardLinkTarget(path, stat.Linkname),
            ExportEntryKind.SymbolicLink => CheckSymlinkTarget(path, stat.Linkname),
            _ => string.Empty,
        };
        if (kind == ExportEntryKind.RegularFile)
        {
            regularFiles.Add(path);
        }

        return new ExportEntry(
            path,
            kind,
            GoFileMode.ToUnixFileMode(mode),
            ExportEntry.FromUnixNanoseconds(stat.ModTime),
            linkTarget,
            kind == ExportEntryKind.Special ? GoFileMode.DescribeSpecialType(mode) : string.Empty);
    }

    private static ExportEntryKind Classify(uint mode, string linkname) => mode switch
    {
        _ when (mode & GoFileMode.Directory) != 0 => ExportEntryKind.Directory,
        _ when (mode & GoFileMode.Symlink) != 0 => ExportEntryKind.SymbolicLink,
        _ when !GoFileMode.CanRequestData(mode) => ExportEntryKind.Special,
        _ when linkname.Length > 0 => ExportEntryKind.HardLink,
        _ => ExportEntryKind.RegularFile,
    };

    private void CheckOrder(string path, bool isDirectory)
    {
        var slash = path.LastIndexOf('/');
        var parent = slash < 0 ? string.Empty : path[..slash];
        var name = path[(slash + 1)..];

        var level = openDirectories.Count - 1;
        while (level >= 0 && openDirectories[level].Path != parent)
        {
            level--;
        }

        if (level < 0)
        {
            if (openDirectories.Any(open => open.LastChild is { } last && !open.LastChildIsDirectory && Join(open.Path, last) == parent))
            {
                throw FileSendErrors.Refused(path, $"its parent {FileSendErrors.Quote(parent)} was sent as a symbolic link or file, not a directory; writing through it is refused");
            }

            throw FileSendErrors.Invalid(path, "out of order: its parent directory is not an open directory of the depth-first walk");
        }

        openDirectories.RemoveRange(level + 1, openDirectories.Count - level - 1);
        var current = openDirectories[level];
        if (current.LastChild is { } previous && Utf8Order.Compare(previous, name) >= 0)
        {
            throw FileSendErrors.Invalid(path, $"out of order or repeated: it comes after {FileSendErrors.Quote(Join(parent, previous))}");
        }

        current.LastChild = name;
        current.LastChildIsDirectory = isDirectory;
        if (isDirectory)
        {
            openDirectories.Add(new OpenDirectory(path));
        }
    }

    private string CheckHardLinkTarget(string path, string target)
    {
        if (ExportPathRules.Check(target, windowsRules) is { } violation)
        {
            var reason = $"hard link target {FileSendErrors.Quote(target)}: {violation.Reason}";
            throw violation.Escapes ? FileSendErrors.Refused(path, reason) : FileSendErrors.Invalid(path, reason);
        }

        if (!regularFiles.Contains(target))
        {
            throw FileSendErrors.Invalid(path, $"hard link to {FileSendErrors.Quote(target)}, which is not a regular file sent earlier in this stream");
        }

        return target;
    }

    /// <summary>
    /// A symlink's target is stored verbatim, absolute or not (image root filesystems are full of
    /// "/usr/share/zoneinfo/UTC"-style links): the receiver never follows it, and the order rules stop
    /// any entry from being written beneath it.
    /// </summary>
    private string CheckSymlinkTarget(string path, string target)
    {
        if (target.Length == 0)
        {
            throw FileSendErrors.Invalid(path, "symbolic link without a target");
        }

        if (target.Contains('\0', StringComparison.Ordinal))
        {
            throw FileSendErrors.Invalid(path, "the symbolic link target contains a NUL character");
        }

        // fsutil's receiver converts link targets with filepath.FromSlash.
        return windowsRules ? target.Replace('/', '\\') : target;
    }

    private static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    private sealed class OpenDirectory(string path)
    {
        public string Path { get; } = path;

        public string? LastChild { get; set; }

        public bool LastChildIsDirectory { get; set; }
    }
}
