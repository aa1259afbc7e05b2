using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Buildx.Core.Session.FileSync;

/// <summary>
/// Opens and reads the files a DiffCopy receiver asks for, with as few system calls as the platform
/// allows. On Linux that is open, read and close: .NET's own file handles add an advisory lock and
/// its release (FileShare emulation), an fstat and an fadvise per file, which doubled the calls per
/// file of a context of many small files. Elsewhere the .NET file APIs.
/// </summary>
internal abstract class ContextFileReader
{
    public static ContextFileReader Create() => LinuxReader.IsSupported ? new LinuxReader() : new ManagedReader();

    /// <summary>An open file, or null when it cannot be opened (gone, a socket): fsutil sends such a file empty.</summary>
    public abstract IOpenFile? TryOpen(string fullPath);

    internal interface IOpenFile : IDisposable
    {
        /// <summary>The next bytes; 0 at the end.</summary>
        int Read(Span<byte> buffer);
    }

    private sealed class ManagedReader : ContextFileReader
    {
        public override IOpenFile? TryOpen(string fullPath)
        {
            try
            {
                return new ManagedFile(File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        private sealed class ManagedFile(SafeFileHandle handle) : IOpenFile
        {
            private long offset;

            public int Read(Span<byte> buffer)
            {
                var read = RandomAccess.Read(handle, buffer, offset);
                offset += read;
                return read;
            }

            public void Dispose() => handle.Dispose();
        }
    }

    private sealed class LinuxReader : ContextFileReader
    {
        // The same values on x86-64 and arm64. O_NONBLOCK: a file swapped for a FIFO since the walk must not block the open.
        private const int ReadOnly = 0;
        private const int NonBlocking = 0x800;
        private const int CloseOnExec = 0x80000;
        private const int Interrupted = 4; // EINTR

        public static bool IsSupported { get; } = OperatingSystem.IsLinux() && Probe();

        public override IOpenFile? TryOpen(string fullPath)
        {
            var fd = NativeMethods.Open(NulTerminated(fullPath), ReadOnly | NonBlocking | CloseOnExec);
            return fd < 0 ? null : new LinuxFile(fd);
        }

        private static byte[] NulTerminated(string path)
        {
            var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
            Encoding.UTF8.GetBytes(path, bytes);
            return bytes;
        }

        private static bool Probe()
        {
            try
            {
                var fd = NativeMethods.Open(NulTerminated("/"), ReadOnly | CloseOnExec);
                if (fd >= 0)
                {
                    _ = NativeMethods.Close(fd);
                }

                return fd >= 0;
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                return false;
            }
        }

        private sealed class LinuxFile(int fd) : IOpenFile
        {
            private int descriptor = fd;

            public unsafe int Read(Span<byte> buffer)
            {
                while (true)
                {
                    nint read;
                    fixed (byte* target = buffer)
                    {
                        read = NativeMethods.Read(descriptor, target, buffer.Length);
                    }

                    if (read >= 0)
                    {
                        return (int)read;
                    }

                    var error = Marshal.GetLastPInvokeError();
                    if (error != Interrupted)
                    {
                        throw new IOException($"read failed: {Marshal.GetPInvokeErrorMessage(error)}", error);
                    }
                }
            }

            public void Dispose()
            {
                if (descriptor >= 0)
                {
                    // A read-only descriptor has nothing to lose on close; its error is of no use here.
                    _ = NativeMethods.Close(descriptor);
                    descriptor = -1;
                }
            }
        }

        private static unsafe class NativeMethods
        {
            /// <param name="path">NUL-terminated UTF-8, as Linux file names are bytes.</param>
            [DllImport("libc", EntryPoint = "open", SetLastError = true)]
            public static extern int Open(byte[] path, int flags);

            [DllImport("libc", EntryPoint = "read", SetLastError = true)]
            public static extern nint Read(int fd, byte* buffer, nint count);

            [DllImport("libc", EntryPoint = "close", SetLastError = true)]
            public static extern int Close(int fd);
        }
    }
}
