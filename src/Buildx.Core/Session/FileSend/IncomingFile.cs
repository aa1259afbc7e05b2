using Microsoft.Win32.SafeHandles;

namespace Buildx.Core.Session.FileSend;

/// <summary>
/// A regular file whose content the receiver has requested. The file already exists (created empty
/// when its STAT arrived); it is opened on the first DATA chunk and closed on the empty one, so only
/// files the daemon is actually sending hold a handle (fsutil's sender streams at most 4 at once).
/// </summary>
internal sealed class IncomingFile(string fullPath, ExportEntry entry) : IDisposable
{
    private SafeFileHandle? handle;

    public ExportEntry Entry { get; } = entry;

    public long Length { get; private set; }

    /// <summary>Writes one chunk at the end of the file, straight from the received buffer.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        handle ??= File.OpenHandle(fullPath, FileMode.Open, FileAccess.Write);
        RandomAccess.Write(handle, data, Length);
        Length += data.Length;
    }

    /// <summary>
    /// The content is complete: applies the mode now (after the writes, which would clear setuid bits)
    /// and the times last, as fsutil does after the data.
    /// </summary>
    public void Complete()
    {
        if (handle is { } open)
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(open, Entry.Mode);
            }

            File.SetLastAccessTimeUtc(open, Entry.ModifiedUtc);
            File.SetLastWriteTimeUtc(open, Entry.ModifiedUtc);
            Dispose();
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(fullPath, Entry.Mode);
        }

        File.SetLastAccessTimeUtc(fullPath, Entry.ModifiedUtc);
        File.SetLastWriteTimeUtc(fullPath, Entry.ModifiedUtc);
    }

    public void Dispose()
    {
        handle?.Dispose();
        handle = null;
    }
}
