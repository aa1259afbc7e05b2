using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Buildx.Core.Store;

/// <summary>
/// <c>LockFileEx(LOCKFILE_EXCLUSIVE_LOCK)</c> on one byte at offset 0, as gofrs/flock does on
/// Windows, so it excludes a concurrent buildx.exe.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed partial class WindowsFileLock : IHeldFileLock
{
    private const uint LockfileFailImmediately = 0x1;
    private const uint LockfileExclusiveLock = 0x2;
    private const int ErrorLockViolation = 33;
    private const int ErrorIOPending = 997;

    private readonly SafeFileHandle _handle;
    private bool _locked;

    private WindowsFileLock(SafeFileHandle handle) => _handle = handle;

    public static WindowsFileLock Open(string path) =>
        new(File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

    public bool TryLock()
    {
        var overlapped = default(Overlapped);
        if (LockFileEx(_handle, LockfileExclusiveLock | LockfileFailImmediately, 0, 1, 0, ref overlapped))
        {
            _locked = true;
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error is ErrorLockViolation or ErrorIOPending)
        {
            return false;
        }

        throw new IOException($"LockFileEx: {Marshal.GetPInvokeErrorMessage(error)}", new Win32Exception(error));
    }

    public void Dispose()
    {
        if (_locked && !_handle.IsClosed)
        {
            var overlapped = default(Overlapped);
            _ = UnlockFileEx(_handle, 0, 1, 0, ref overlapped);
            _locked = false;
        }

        _handle.Dispose();
    }

    // Win32 OVERLAPPED; our own blittable copy, as LibraryImport will not marshal NativeOverlapped.
    [StructLayout(LayoutKind.Sequential)]
    private struct Overlapped
    {
        public nuint Internal;
        public nuint InternalHigh;
        public uint Offset;
        public uint OffsetHigh;
        public nint EventHandle;
    }

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool LockFileEx(SafeFileHandle file, uint flags, uint reserved, uint bytesLow, uint bytesHigh, ref Overlapped overlapped);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool UnlockFileEx(SafeFileHandle file, uint reserved, uint bytesLow, uint bytesHigh, ref Overlapped overlapped);
}
