using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Buildx.Core.Session.FileSend;

/// <summary>Creates hard links, which .NET has no API for: link(2) on Unix, CreateHardLinkW on Windows.</summary>
internal static class NativeHardLink
{
    /// <summary>Makes <paramref name="newPath"/> another name for the existing file <paramref name="existingPath"/>.</summary>
    public static void Create(string existingPath, string newPath)
    {
        if (OperatingSystem.IsWindows())
        {
            if (!CreateHardLinkW(newPath, existingPath, IntPtr.Zero))
            {
                throw new IOException($"cannot create hard link {newPath}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
            }

            return;
        }

        if (link(existingPath, newPath) != 0)
        {
            throw new IOException($"cannot create hard link {newPath}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        }
    }

    // "libc" is resolved by the runtime to the C library on Linux (libc.so.6) and macOS; on Unix,
    // CharSet.Ansi marshals UTF-8, the encoding .NET uses for all Unix paths.
    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int link(string existingPath, string newPath);

    [DllImport("kernel32", SetLastError = true, CharSet = CharSet.Unicode)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool CreateHardLinkW(string newPath, string existingPath, IntPtr securityAttributes);
}
