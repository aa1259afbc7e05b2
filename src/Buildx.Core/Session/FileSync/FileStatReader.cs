namespace Buildx.Core.Session.FileSync;

/// <summary>Picks the most faithful <see cref="IFileStatReader"/> the platform offers.</summary>
internal static class FileStatReader
{
    /// <summary>
    /// On Linux, <c>statx</c> (nanosecond times, file types, devices, hard links); elsewhere, or where
    /// <c>statx</c> is missing or blocked, the .NET file APIs.
    /// </summary>
    public static IFileStatReader Create() =>
        LinuxStatxReader.IsSupported ? new LinuxStatxReader() : new ManagedFileStatReader();
}
