using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Buildx.Core.Store;

/// <summary>
/// <c>flock(2)</c> on a descriptor of our own. The descriptor is opened with <c>open(2)</c>, not a
/// FileStream: .NET takes a non-blocking <c>flock(LOCK_SH)</c> itself when it opens a file, which
/// fails while buildx holds the lock, instead of letting us wait.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed partial class UnixFileLock : IHeldFileLock
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int LockUnlock = 8;

    private const int OpenReadOnly = 0;
    private const int OpenReadWrite = 2;

    private const int ErrorInterrupted = 4; // EINTR
    private const int ErrorIO = 5;          // EIO
    private const int ErrorBadDescriptor = 9; // EBADF

    private readonly string _path;
    private FileDescriptor _descriptor;
    private bool _reopenedForWrite;

    private UnixFileLock(string path, FileDescriptor descriptor)
    {
        _path = path;
        _descriptor = descriptor;
    }

    // Close the descriptor in child processes (docker, ssh…) so they never inherit the lock.
    private static int CloseOnExec => OperatingSystem.IsLinux() ? 0x80000 : OperatingSystem.IsFreeBSD() ? 0x100000 : 0x1000000;

    // EWOULDBLOCK is EAGAIN: 11 on Linux, 35 on the BSDs and macOS.
    private static int ErrorWouldBlock => OperatingSystem.IsLinux() ? 11 : 35;

    public static UnixFileLock Open(string path)
    {
        EnsureExists(path);
        return new UnixFileLock(path, OpenDescriptor(path, OpenReadOnly));
    }

    public bool TryLock()
    {
        while (true)
        {
            if (Flock(_descriptor, LockExclusive | LockNonBlocking) == 0)
            {
                return true;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error == ErrorInterrupted)
            {
                continue;
            }

            if (error == ErrorWouldBlock)
            {
                return false;
            }

            // As gofrs/flock (after util-linux): where flock is emulated with fcntl (NFSv4), an
            // exclusive lock needs a descriptor open for writing.
            if ((error == ErrorIO || error == ErrorBadDescriptor) && !_reopenedForWrite)
            {
                _reopenedForWrite = true;
                var writable = OpenDescriptor(_path, OpenReadWrite);
                _descriptor.Dispose();
                _descriptor = writable;
                continue;
            }

            throw new IOException($"flock {_path}: {Marshal.GetPInvokeErrorMessage(error)}", new Win32Exception(error));
        }
    }

    public void Dispose()
    {
        if (!_descriptor.IsInvalid && !_descriptor.IsClosed)
        {
            _ = Flock(_descriptor, LockUnlock);
        }

        _descriptor.Dispose();
    }

    // gofrs/flock creates the file with mode 0600 when it is missing.
    private static void EnsureExists(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite | FileShare.Delete,
                UnixCreateMode = AtomicFile.OwnerReadWrite,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first.
        }
    }

    private static FileDescriptor OpenDescriptor(string path, int access)
    {
        while (true)
        {
            var descriptor = OpenFile(path, access | CloseOnExec);
            if (descriptor >= 0)
            {
                return new FileDescriptor(descriptor);
            }

            var error = Marshal.GetLastPInvokeError();
            if (error != ErrorInterrupted)
            {
                throw new IOException($"open {path}: {Marshal.GetPInvokeErrorMessage(error)}", new Win32Exception(error));
            }
        }
    }

    // open(2) is variadic; without O_CREAT the mode argument is never read, so the fixed
    // two-argument signature is safe on every ABI.
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFile(string path, int flags);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(FileDescriptor descriptor, int operation);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseDescriptor(int descriptor);

    /// <summary>A Unix file descriptor; 0 is valid, -1 is not.</summary>
    private sealed class FileDescriptor : SafeHandle
    {
        public FileDescriptor()
            : base(new IntPtr(-1), ownsHandle: true)
        {
        }

        public FileDescriptor(int descriptor)
            : this() => SetHandle(new IntPtr(descriptor));

        public override bool IsInvalid => handle == new IntPtr(-1);

        protected override bool ReleaseHandle() => CloseDescriptor((int)handle) == 0;
    }
}
