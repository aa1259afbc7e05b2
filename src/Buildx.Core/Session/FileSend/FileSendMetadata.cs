using System.Globalization;
using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.FileSend;

/// <summary>
/// What the daemon says about one FileSend/DiffCopy call in its request metadata
/// (BuildKit session/filesync/filesync.go: <c>CopyToCaller</c>, <c>CopyFileWriter</c>).
/// </summary>
/// <param name="ExporterId">
/// <c>buildkit-attachable-exporter-id</c>: the exporter's index in <c>SolveRequest.Exporters</c>.
/// Null when the daemon predates multiple exporters (BuildKit &lt; v0.13, e.g. Docker 20.10's v0.8).
/// </param>
/// <param name="ExporterMetadata">
/// <c>exporter-md-&lt;key&gt;</c> values with the prefix removed (repeated keys joined with ","), e.g.
/// <c>containerimage.digest</c> for oci/docker tarballs.
/// </param>
/// <param name="MultiPlatformTransfer">
/// <c>buildkit-exporter-multi-platform: 1</c>: the daemon sends every platform in this one stream,
/// which the local exporter's <c>mode=delete</c> requires.
/// </param>
public sealed record FileSendMetadata(int? ExporterId, IReadOnlyDictionary<string, string> ExporterMetadata, bool MultiPlatformTransfer)
{
    public const string ExporterIdKey = "buildkit-attachable-exporter-id";
    public const string ExporterMetadataPrefix = "exporter-md-";
    public const string MultiPlatformTransferKey = "buildkit-exporter-multi-platform";

    internal static FileSendMetadata FromCall(GrpcCallContext context)
    {
        int? exporterId = null;
        if (context.GetValue(ExporterIdKey) is { } rawId)
        {
            if (!int.TryParse(rawId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new GrpcStatusException(StatusCode.InvalidArgument, $"invalid {ExporterIdKey} {FileSendErrors.Quote(rawId)}");
            }

            exporterId = id;
        }

        var exporterMetadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in context.RequestHeaders
                     .Where(h => h.Key.StartsWith(ExporterMetadataPrefix, StringComparison.OrdinalIgnoreCase))
                     .GroupBy(h => h.Key[ExporterMetadataPrefix.Length..], StringComparer.Ordinal))
        {
            exporterMetadata[group.Key] = string.Join(',', group.Select(h => h.Value));
        }

        var multiPlatform = context.GetValues(MultiPlatformTransferKey).Contains("1", StringComparer.Ordinal);
        return new FileSendMetadata(exporterId, exporterMetadata, multiPlatform);
    }
}
