using System.Runtime.InteropServices;
using System.Text;

namespace Buildx.Core.Tests.Session.FileSync;

/// <summary>File system calls .NET does not offer: nanosecond times, hard links, FIFOs.</summary>
internal static class PosixTestFiles
{
    private const int CurrentDirectory = -100;
    private const int DoNotFollowSymlinks = 0x100;

    public static void SetModificationTime(string path, long seconds, long nanoseconds)
    {
        // struct timespec[2] { atime, mtime } with 64-bit fields on 64-bit Linux.
        long[] times = [seconds, nanoseconds, seconds, nanoseconds];
        Check(NativeMethods.utimensat(CurrentDirectory, Encode(path), times, DoNotFollowSymlinks), path);
    }

    public static void HardLink(string existingPath, string newPath) =>
        Check(NativeMethods.link(Encode(existingPath), Encode(newPath)), newPath);

    public static void MakeFifo(string path) => Check(NativeMethods.mkfifo(Encode(path), 0x1A4), path);

    private static byte[] Encode(string path) => Encoding.UTF8.GetBytes(path + "\0");

    private static void Check(int result, string path)
    {
        if (result != 0)
        {
            throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int utimensat(int directoryFd, byte[] path, long[] times, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int link(byte[] existingPath, byte[] newPath);

        [DllImport("libc", SetLastError = true)]
        public static extern int mkfifo(byte[] path, uint mode);
    }
}
