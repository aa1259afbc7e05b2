namespace Buildx.Core.Session.FileSend;

/// <summary>
/// fsutil's <c>Stat.mode</c> is a Go <c>os.FileMode</c>: permission bits plus Go's own type and
/// special bits (not POSIX <c>S_IF*</c>). These are the bits and their mapping to Unix permissions.
/// </summary>
internal static class GoFileMode
{
    public const uint Directory = 1u << 31;
    public const uint Symlink = 1u << 27;
    public const uint Device = 1u << 26;
    public const uint NamedPipe = 1u << 25;
    public const uint Socket = 1u << 24;
    public const uint Setuid = 1u << 23;
    public const uint Setgid = 1u << 22;
    public const uint CharDevice = 1u << 21;
    public const uint Sticky = 1u << 20;
    public const uint Irregular = 1u << 19;

    /// <summary>Go's <c>os.ModeType</c>: an entry with none of these is a regular file.</summary>
    public const uint TypeMask = Directory | Symlink | NamedPipe | Socket | Device | CharDevice | Irregular;

    private const uint PermissionMask = 0x1FF; // 0o777

    /// <summary>fsutil's <c>fileCanRequestData</c>: only entries without type bits have content.</summary>
    public static bool IsRegular(uint mode) => (mode & TypeMask) == 0;

    /// <summary>The mode Go's <c>os.Chmod</c> would apply: rwx bits plus setuid, setgid and sticky.</summary>
    public static UnixFileMode ToUnixFileMode(uint mode)
    {
        var unix = (UnixFileMode)(mode & PermissionMask);
        if ((mode & Setuid) != 0)
        {
            unix |= UnixFileMode.SetUser;
        }

        if ((mode & Setgid) != 0)
        {
            unix |= UnixFileMode.SetGroup;
        }

        if ((mode & Sticky) != 0)
        {
            unix |= UnixFileMode.StickyBit;
        }

        return unix;
    }

    /// <summary>A name for an entry type this receiver does not create, for messages and reports.</summary>
    public static string DescribeSpecialType(uint mode) => mode switch
    {
        _ when (mode & CharDevice) != 0 => "character device",
        _ when (mode & Device) != 0 => "block device",
        _ when (mode & NamedPipe) != 0 => "named pipe",
        _ when (mode & Socket) != 0 => "socket",
        _ => "irregular file",
    };
}
