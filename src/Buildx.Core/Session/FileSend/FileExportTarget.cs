using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.FileSend;

/// <summary>
/// A tarball exporter's file destination (<c>tar</c>, <c>oci</c>/<c>docker</c> with <c>tar=true</c>).
/// <para>
/// Atomicity: the bytes go to a temporary file next to the destination
/// (<c>.&lt;name&gt;.buildx-partial-&lt;random&gt;</c>) that replaces the destination by a rename only
/// when the stream has ended normally; a failed or cancelled stream deletes it, and any parent
/// directories this created, so an existing file keeps its old content.
/// As with buildx, the file (and its parent directories, 0755) is created on the first byte: a stream
/// without bytes writes nothing. A replaced file keeps its permission bits.
/// </para>
/// For standard output or any other caller stream, use <see cref="StreamExportTarget"/>.
/// </summary>
public sealed class FileExportTarget : ExportTarget
{
    private const int WriteBufferSize = 128 * 1024;
    private const UnixFileMode ParentMode = (UnixFileMode)0x1ED; // 0o755, as buildx

    public FileExportTarget(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path == "-")
        {
            throw new ArgumentException("\"-\" means standard output: use StreamExportTarget.ForStream", nameof(path));
        }

        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The destination file (absolute).</summary>
    public string Path { get; }

    internal override async Task<ExportWriteSummary> ReceiveAsync(IGrpcRawCall call, FileSendMetadata metadata, CancellationToken cancellationToken)
    {
        if (Directory.Exists(Path))
        {
            throw new GrpcStatusException(StatusCode.FailedPrecondition, $"destination file {Path} is a directory");
        }

        var directory = System.IO.Path.GetDirectoryName(Path)!;
        var temporaryPath = System.IO.Path.Join(directory, $".{System.IO.Path.GetFileName(Path)}.buildx-partial-{Guid.NewGuid():N}");
        CreatedDirectories? createdDirectories = null;
        FileStream? temporary = null;
        var received = 0L;
        try
        {
            await foreach (var chunk in ByteStreamMessages.ReadAsync(call, cancellationToken).ConfigureAwait(false))
            {
                if (temporary is null)
                {
                    createdDirectories = CreatedDirectories.Ensure(directory, ParentMode);
                    temporary = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, WriteBufferSize, useAsync: false);
                }

                await temporary.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                received += chunk.Length;
            }

            if (temporary is null)
            {
                return new ExportWriteSummary(null, 0, 0, []);
            }

            await temporary.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows() && File.Exists(Path))
            {
                File.SetUnixFileMode(temporary.SafeFileHandle, File.GetUnixFileMode(Path));
            }

            await temporary.DisposeAsync().ConfigureAwait(false);
            temporary = null;
            File.Move(temporaryPath, Path, overwrite: true);
            return new ExportWriteSummary(Path, received, 0, []);
        }
        catch (Exception e)
        {
            if (temporary is not null)
            {
                await temporary.DisposeAsync().ConfigureAwait(false);
            }

            TryDelete(temporaryPath);
            createdDirectories?.RemoveIfEmpty();
            if (e is IOException or UnauthorizedAccessException)
            {
                throw FileSendErrors.WriteFailed(Path, e);
            }

            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
