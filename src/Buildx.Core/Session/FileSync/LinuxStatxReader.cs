using System.Runtime.InteropServices;
using System.Text;
using Buildx.Core.Session;

namespace Buildx.Core.Session.FileSync;

/// <summary>
/// <c>lstat</c> through Linux <c>statx(2)</c>, whose result layout is the same on every architecture. .NET's own
/// file APIs cannot tell a FIFO or device from a regular file and round times to 100 ns; the Go client sends
/// exact nanoseconds and types, and reading a FIFO that looks like a file would hang.
/// </summary>
internal sealed class LinuxStatxReader : IFileStatReader
{
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const int DoNotFollowSymlinks = 0x100; // AT_SYMLINK_NOFOLLOW
    private const uint BasicStats = 0x7FF; // STATX_BASIC_STATS
    private const int ResultSize = 256; // sizeof(struct statx)

    private const int NoSuchEntry = 2; // ENOENT
    private const int NotADirectory = 20; // ENOTDIR
    private const int PermissionDenied = 13; // EACCES
    private const int NotPermitted = 1; // EPERM

    private const uint PosixTypeMask = 0xF000;
    private const uint PosixBlockDevice = 0x6000;
    private const uint PosixCharDevice = 0x2000;

    private static readonly Lazy<bool> Available = new(Probe);

    private readonly byte[] result = new byte[ResultSize];
    private byte[] pathBytes = new byte[1024];

    public static bool IsSupported => OperatingSystem.IsLinux() && Available.Value;

    public bool TryGetStatus(string fullPath, out LocalFileStatus status)
    {
        if (NativeMethods.Statx(CurrentDirectory, EncodePath(fullPath), DoNotFollowSymlinks, BasicStats, result) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error is NoSuchEntry or NotADirectory)
            {
                status = default;
                return false;
            }

            var message = $"lstat {fullPath}: {Marshal.GetPInvokeErrorMessage(error)}";
            throw error is PermissionDenied or NotPermitted ? new UnauthorizedAccessException(message) : new IOException(message);
        }

        // struct statx field offsets (linux/stat.h).
        ReadOnlySpan<byte> fields = result;
        var linkCount = MemoryMarshal.Read<uint>(fields[16..]);
        uint posixMode = MemoryMarshal.Read<ushort>(fields[28..]);
        var inode = MemoryMarshal.Read<ulong>(fields[32..]);
        var size = MemoryMarshal.Read<long>(fields[40..]);
        var modifiedSeconds = MemoryMarshal.Read<long>(fields[112..]);
        var modifiedNanoseconds = MemoryMarshal.Read<uint>(fields[120..]);
        var deviceMajor = MemoryMarshal.Read<uint>(fields[128..]);
        var deviceMinor = MemoryMarshal.Read<uint>(fields[132..]);
        var containingDevice = ((ulong)MemoryMarshal.Read<uint>(fields[136..]) << 32) | MemoryMarshal.Read<uint>(fields[140..]);

        var isDevice = (posixMode & PosixTypeMask) is PosixBlockDevice or PosixCharDevice;
        status = new LocalFileStatus(
            GoFileMode.FromPosix(posixMode),
            size,
            (modifiedSeconds * 1_000_000_000L) + modifiedNanoseconds,
            isDevice ? deviceMajor : 0,
            isDevice ? deviceMinor : 0,
            (containingDevice, inode),
            linkCount);
        return true;
    }

    /// <summary>The path as NUL-terminated UTF-8 in a buffer reused across calls.</summary>
    private byte[] EncodePath(string fullPath)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(fullPath.Length) + 1;
        if (pathBytes.Length < needed)
        {
            pathBytes = new byte[Math.Max(needed, pathBytes.Length * 2)];
        }

        var length = Encoding.UTF8.GetBytes(fullPath, pathBytes);
        pathBytes[length] = 0;
        return pathBytes;
    }

    /// <summary>statx needs glibc 2.28 or musl 1.2.5, and old container seccomp profiles refuse it.</summary>
    private static bool Probe()
    {
        try
        {
            return NativeMethods.Statx(CurrentDirectory, "/\0"u8.ToArray(), DoNotFollowSymlinks, BasicStats, new byte[ResultSize]) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        /// <param name="path">NUL-terminated UTF-8, as Linux file names are bytes.</param>
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        public static extern int Statx(int directoryFd, byte[] path, int flags, uint mask, [Out] byte[] result);
    }
}
