using System.Buffers;

namespace Buildx.Core.Session.FileSend;

/// <summary>What is wrong with a daemon-supplied relative path, if anything.</summary>
/// <param name="Reason">Why the path is refused, for the error message.</param>
/// <param name="Escapes">True when the path would reach outside the destination (PermissionDenied), false when it is only malformed.</param>
internal sealed record PathViolation(string Reason, bool Escapes);

/// <summary>
/// The rules a wire path (slash-separated, relative to the export root) must satisfy before anything
/// is created for it. fsutil's Validator refuses unclean, absolute and <c>..</c> paths; this adds NUL and,
/// where Windows rules apply, the names Win32 would reinterpret (separators, drives, streams, devices).
/// </summary>
internal static class ExportPathRules
{
    // Win32 reinterprets these; ':' selects a drive or an NTFS alternate data stream.
    private static readonly SearchValues<char> WindowsInvalidCharacters = SearchValues.Create("<>\"|?*");

    private static readonly HashSet<string> WindowsDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    public static bool UseWindowsRules => OperatingSystem.IsWindows();

    /// <summary>Returns why <paramref name="path"/> is refused, or null when it is a clean relative path.</summary>
    public static PathViolation? Check(string path, bool windowsRules)
    {
        if (path.Length == 0)
        {
            return new("empty path", Escapes: false);
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return new("the name contains a NUL character", Escapes: false);
        }

        if (path[0] == '/')
        {
            return new("absolute path", Escapes: true);
        }

        // On Unix a backslash is an ordinary name character (systemd unit names use it); on Windows it
        // is a separator, so "a\..\..\x" would climb out.
        if (windowsRules && path.Contains('\\', StringComparison.Ordinal))
        {
            return new("a backslash is a path separator on Windows", Escapes: true);
        }

        foreach (var component in path.Split('/'))
        {
            if (CheckComponent(component, windowsRules) is { } violation)
            {
                return violation;
            }
        }

        return null;
    }

    private static PathViolation? CheckComponent(string component, bool windowsRules)
    {
        switch (component)
        {
            case "":
                return new("unclean path (empty component or trailing slash)", Escapes: false);
            case ".":
                return new("unclean path (a \".\" component)", Escapes: false);
            case "..":
                return new("a \"..\" component leaves the destination", Escapes: true);
        }

        if (!windowsRules)
        {
            return null;
        }

        if (component.Contains(':', StringComparison.Ordinal))
        {
            return new("a ':' names a drive or an alternate data stream on Windows", Escapes: true);
        }

        if (component[^1] is '.' or ' ')
        {
            // Win32 strips trailing dots and spaces, so ".. " would become "..".
            return new("Windows strips trailing dots and spaces from names", Escapes: true);
        }

        var stem = component.Split('.')[0].TrimEnd(' ');
        if (WindowsDeviceNames.Contains(stem))
        {
            return new("the name is a Windows device name", Escapes: true);
        }

        if (component.IndexOfAny(WindowsInvalidCharacters) >= 0 || component.Any(c => c < ' '))
        {
            return new("the name has characters Windows does not allow", Escapes: false);
        }

        return null;
    }
}
