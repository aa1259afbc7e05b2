using System.Text;
using Buildx.Core.Session;

namespace Buildx.Core.Session.FileSync;

/// <summary>
/// <c>lstat</c> through .NET's file APIs, for Windows, macOS and Linux without <c>statx</c>. Times have 100 ns
/// resolution; FIFOs, sockets and devices look like regular files; hard links are not detected.
/// </summary>
internal sealed class ManagedFileStatReader : IFileStatReader
{
    private const uint WindowsReadOnlyPermissions = 0x124; // 0o444
    private const uint WindowsWritablePermissions = 0x1B6; // 0o666
    private const uint ExecutePermissions = 0x49; // 0o111
    private const uint WindowsPermissionCeiling = 0x1ED; // 0o755

    public bool TryGetStatus(string fullPath, out LocalFileStatus status)
    {
        var info = new FileInfo(fullPath);
        var attributes = info.Attributes;
        if ((int)attributes == -1)
        {
            status = default;
            return false;
        }

        var linkTarget = (attributes & FileAttributes.ReparsePoint) != 0 ? info.LinkTarget : null;
        var isSymlink = linkTarget is not null;
        var isDirectory = !isSymlink && (attributes & FileAttributes.Directory) != 0;

        uint mode;
        if (OperatingSystem.IsWindows())
        {
            // Go's Windows modes, then fsutil's "everything is executable, nothing group/other-writable".
            mode = (attributes & FileAttributes.ReadOnly) != 0 ? WindowsReadOnlyPermissions : WindowsWritablePermissions;
            mode = (mode | ExecutePermissions) & WindowsPermissionCeiling;
        }
        else
        {
            mode = isSymlink ? GoFileMode.PermissionMask : (uint)info.UnixFileMode;
            mode = GoFileMode.FromPosix(mode) & ~GoFileMode.TypeMask;
        }

        if (isSymlink)
        {
            mode |= GoFileMode.Symlink;
        }
        else if (isDirectory)
        {
            mode |= GoFileMode.Directory;
        }

        long size = 0;
        if (isSymlink)
        {
            size = OperatingSystem.IsWindows() ? 0 : Encoding.UTF8.GetByteCount(linkTarget!);
        }
        else if (!isDirectory)
        {
            size = info.Length;
        }

        var modified = (info.LastWriteTimeUtc - DateTime.UnixEpoch).Ticks * 100;
        status = new LocalFileStatus(mode, size, modified, 0, 0, default, 1);
        return true;
    }
}
