using System.Formats.Tar;

namespace Buildx.Core.Exports;

/// <summary>Where a joined OCI layout goes: a tarball file, a directory (<c>tar=false</c>), or a stream (<c>dest=-</c>).</summary>
public abstract class OciLayoutDestination
{
    public static OciLayoutDestination Tarball(string path) => new FileDestination(path);

    public static OciLayoutDestination Directory(string path) => new DirectoryDestination(path);

    public static OciLayoutDestination Stream(Stream stream) => new StreamDestination(stream);

    /// <summary>Places the finished layout; a file or directory appears only once complete.</summary>
    internal abstract Task WriteAsync(string layout, CancellationToken cancellationToken);

    // oci-layout and index.json first, then the blobs: readers that stream the tarball meet the index early.
    private static async Task WriteTarAsync(string layout, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await writer.WriteEntryAsync(Path.Combine(layout, "oci-layout"), "oci-layout", cancellationToken).ConfigureAwait(false);
        await writer.WriteEntryAsync(Path.Combine(layout, "index.json"), "index.json", cancellationToken).ConfigureAwait(false);
        foreach (var blob in System.IO.Directory.GetFiles(Path.Combine(layout, "blobs", "sha256")).Order(StringComparer.Ordinal))
        {
            await writer.WriteEntryAsync(blob, "blobs/sha256/" + Path.GetFileName(blob), cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class FileDestination(string path) : OciLayoutDestination
    {
        internal override async Task WriteAsync(string layout, CancellationToken cancellationToken)
        {
            var partial = path + ".partial-" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                await using (var output = File.Create(partial))
                {
                    await WriteTarAsync(layout, output, cancellationToken).ConfigureAwait(false);
                }

                File.Move(partial, path, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }
        }
    }

    private sealed class DirectoryDestination(string path) : OciLayoutDestination
    {
        internal override Task WriteAsync(string layout, CancellationToken cancellationToken)
        {
            if (System.IO.Directory.Exists(path))
            {
                // A layout from an earlier export is replaced; anything else is the user's and stays.
                if (System.IO.Directory.EnumerateFileSystemEntries(path).Any() && !File.Exists(Path.Combine(path, "oci-layout")))
                {
                    throw new Errors.BuildxException(Errors.ErrorIds.ExportFailed, Errors.BuildxErrorKind.InvalidOperation,
                        $"The OCI layout destination '{path}' is a directory that holds other files; give an empty or new directory, or an earlier OCI layout to replace.", path);
                }

                System.IO.Directory.Delete(path, recursive: true);
            }

            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            try
            {
                System.IO.Directory.Move(layout, path);
            }
            catch (IOException)
            {
                // Another file system: copy, into a sibling first so the destination appears whole.
                var partial = path + ".partial-" + Guid.NewGuid().ToString("N")[..8];
                CopyTree(layout, partial);
                System.IO.Directory.Move(partial, path);
            }

            return Task.CompletedTask;
        }

        private static void CopyTree(string from, string to)
        {
            System.IO.Directory.CreateDirectory(to);
            foreach (var file in System.IO.Directory.GetFiles(from))
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }

            foreach (var directory in System.IO.Directory.GetDirectories(from))
            {
                CopyTree(directory, Path.Combine(to, Path.GetFileName(directory)));
            }
        }
    }

    private sealed class StreamDestination(Stream stream) : OciLayoutDestination
    {
        internal override async Task WriteAsync(string layout, CancellationToken cancellationToken)
        {
            await WriteTarAsync(layout, stream, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
