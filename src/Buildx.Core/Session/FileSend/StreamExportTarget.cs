using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.FileSend;

/// <summary>
/// A tarball exporter's output written to a caller's stream: standard output (buildx <c>dest=-</c>),
/// a pipe into <c>docker load</c>, memory. Bytes are passed through as they arrive, so unlike
/// <see cref="FileExportTarget"/> a failed stream cannot be taken back: the caller learns of it from
/// the transfer result and the solve's error.
/// </summary>
public sealed class StreamExportTarget : ExportTarget
{
    private readonly Func<IReadOnlyDictionary<string, string>, Stream?> open;
    private readonly bool ownsStreams;

    /// <summary>
    /// Opens the output when the daemon starts sending, given the exporter's metadata
    /// (<c>exporter-md-*</c> without the prefix, e.g. <c>containerimage.digest</c>). The stream is
    /// disposed when the export ends. Returning null declines the export: the call fails with
    /// AlreadyExists, which BuildKit's oci exporter treats as "already there".
    /// </summary>
    public StreamExportTarget(Func<IReadOnlyDictionary<string, string>, Stream?> open)
        : this(open, ownsStreams: true)
    {
    }

    private StreamExportTarget(Func<IReadOnlyDictionary<string, string>, Stream?> open, bool ownsStreams)
    {
        ArgumentNullException.ThrowIfNull(open);
        this.open = open;
        this.ownsStreams = ownsStreams;
    }

    /// <summary>Writes into a stream the caller keeps owning (flushed at the end, never disposed), e.g. standard output.</summary>
    public static StreamExportTarget ForStream(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return new StreamExportTarget(_ => destination, ownsStreams: false);
    }

    internal override async Task<ExportWriteSummary> ReceiveAsync(IGrpcRawCall call, FileSendMetadata metadata, CancellationToken cancellationToken)
    {
        var destination = open(metadata.ExporterMetadata)
            ?? throw new GrpcStatusException(StatusCode.AlreadyExists, "target already exists");
        try
        {
            var received = 0L;
            await foreach (var chunk in ByteStreamMessages.ReadAsync(call, cancellationToken).ConfigureAwait(false))
            {
                await destination.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                received += chunk.Length;
            }

            await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            return new ExportWriteSummary(null, received, 0, []);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            throw FileSendErrors.WriteFailed("the export stream", e);
        }
        finally
        {
            if (ownsStreams)
            {
                await destination.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
