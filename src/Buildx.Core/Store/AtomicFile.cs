using System.Globalization;

namespace Buildx.Core.Store;

/// <summary>
/// Writes a file so readers see the old or the new content, never a part: a temporary file in the
/// same directory, flushed to disk, given its mode, then renamed over the target. This is what
/// buildx's <c>atomicwriter.WriteFile</c> does (temp names <c>.tmp-&lt;name&gt;&lt;digits&gt;</c> too).
/// </summary>
internal static class AtomicFile
{
    public const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode = OwnerReadWrite)
    {
        EnsureWritableTarget(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = CreateTemporary(directory, Path.GetFileName(path), mode, out var stream);
        try
        {
            using (stream)
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The create mode is subject to the umask; buildx chmods explicitly, so do we.
                File.SetUnixFileMode(temporary, mode);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    // Go's atomicwriter refuses to replace anything but a regular file.
    private static void EnsureWritableTarget(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw new IOException($"cannot write to a symbolic link directly: {path}");
        }

        if (Directory.Exists(path))
        {
            throw new IOException($"cannot write to a directory: {path}");
        }
    }

    private static string CreateTemporary(string directory, string fileName, UnixFileMode mode, out FileStream stream)
    {
        for (var attempt = 0; ; attempt++)
        {
            var candidate = Path.Combine(
                directory,
                ".tmp-" + fileName + ((uint)Random.Shared.Next()).ToString(CultureInfo.InvariantCulture));
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            try
            {
                stream = new FileStream(candidate, options);
                return candidate;
            }
            catch (IOException) when (attempt < 100 && File.Exists(candidate))
            {
                // Name taken: try another, as Go's os.CreateTemp does.
            }
        }
    }
}
