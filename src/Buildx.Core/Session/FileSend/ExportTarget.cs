using Buildx.Core.Session.Grpc;

namespace Buildx.Core.Session.FileSend;

/// <summary>
/// Where one exporter's output lands on this machine. BuildKit streams exports back over the
/// session's FileSend/DiffCopy method: a <see cref="DirectoryExportTarget"/> receives an fsutil file
/// tree (the <c>local</c> exporter); <see cref="FileExportTarget"/> and <see cref="StreamExportTarget"/>
/// receive raw tarball bytes (<c>tar</c>, and <c>oci</c>/<c>docker</c> with <c>tar=true</c>).
/// </summary>
public abstract class ExportTarget
{
    private protected ExportTarget()
    {
    }

    /// <summary>Receives one stream; returns what was written, or throws (a GrpcStatusException for the daemon).</summary>
    internal abstract Task<ExportWriteSummary> ReceiveAsync(IGrpcRawCall call, FileSendMetadata metadata, CancellationToken cancellationToken);
}

/// <summary>What a target wrote for one stream.</summary>
internal sealed record ExportWriteSummary(string? WrittenPath, long BytesReceived, int EntriesWritten, IReadOnlyList<string> SkippedEntries);
