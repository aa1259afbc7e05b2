namespace Buildx.Core.Session;

/// <summary>
/// Go's <c>os.FileMode</c> bit layout, which fsutil puts on the wire as <c>Stat.mode</c>: type bits at the top
/// and the nine permission bits at the bottom (not POSIX <c>S_IF*</c> values).
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

    public const uint TypeMask = Directory | Symlink | NamedPipe | Socket | Device | CharDevice | Irregular;
    public const uint PermissionMask = 0x1FF; // 0o777

    // POSIX st_mode values (the same on Linux and macOS).
    private const uint PosixTypeMask = 0xF000;
    private const uint PosixSocket = 0xC000;
    private const uint PosixSymlink = 0xA000;
    private const uint PosixBlockDevice = 0x6000;
    private const uint PosixDirectory = 0x4000;
    private const uint PosixCharDevice = 0x2000;
    private const uint PosixFifo = 0x1000;
    private const uint PosixSetuid = 0x800;
    private const uint PosixSetgid = 0x400;
    private const uint PosixSticky = 0x200;

    /// <summary>Go's mapping from an <c>lstat</c> <c>st_mode</c> (os.fillFileStatFromSys).</summary>
    public static uint FromPosix(uint posixMode)
    {
        var mode = posixMode & PermissionMask;
        mode |= (posixMode & PosixTypeMask) switch
        {
            PosixBlockDevice => Device,
            PosixCharDevice => Device | CharDevice,
            PosixDirectory => Directory,
            PosixFifo => NamedPipe,
            PosixSymlink => Symlink,
            PosixSocket => Socket,
            _ => 0,
        };
        if ((posixMode & PosixSetuid) != 0)
        {
            mode |= Setuid;
        }

        if ((posixMode & PosixSetgid) != 0)
        {
            mode |= Setgid;
        }

        if ((posixMode & PosixSticky) != 0)
        {
            mode |= Sticky;
        }

        return mode;
    }

    /// <summary>
    /// Only entries without type bits can have their content requested (fsutil fileCanRequestData; the
    /// sender and receiver must agree on it).
    /// </summary>
    public static bool CanRequestData(uint mode) => (mode & TypeMask) == 0;

    public static bool IsDirectory(uint mode) => (mode & Directory) != 0;

    public static bool IsSymlink(uint mode) => (mode & Symlink) != 0;

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

    /// <summary>A name for an entry type a receiver does not create, for messages and reports.</summary>
    public static string DescribeSpecialType(uint mode) => mode switch
    {
        _ when (mode & CharDevice) != 0 => "character device",
        _ when (mode & Device) != 0 => "block device",
        _ when (mode & NamedPipe) != 0 => "named pipe",
        _ when (mode & Socket) != 0 => "socket",
        _ => "irregular file",
    };
}
