using Buildx.Core.Exports;
using Buildx.Core.Session.FileSend;

namespace Buildx.Core.Builds;

/// <summary>What one Solve call of a build returned, kept until every solve of the build is done.</summary>
internal sealed record SolveOutcome(
    string Ref,
    IReadOnlyList<PlannedExport> Exports,
    IReadOnlyDictionary<string, string> Response,
    BuildStatusTracker Tracker,
    FileSendService FileSend,
    long BytesSent,
    long BytesReceived,
    bool Loaded)
{
    /// <summary>
    /// One exporter's response. BuildKit merges every exporter's keys into one map; with a single
    /// exporter per solve that map is the exporter's own. A tarball export's metadata names its
    /// exporter exactly, so it is preferred when present.
    /// </summary>
    public IReadOnlyDictionary<string, string> ResponseFor(int index)
    {
        var transfer = FileSend.Transfers.FirstOrDefault(t => t.ExporterIndex == index && t.Succeeded);
        if (transfer is not null && transfer.Metadata.ExporterMetadata.Count > 0)
        {
            return transfer.Metadata.ExporterMetadata;
        }

        return Exports.Count == 1 || Exports[index].DestinationKind == ExportDestinationKind.None ? Response : new Dictionary<string, string>();
    }

    /// <summary>The file or directory this exporter wrote, if any.</summary>
    public string? PathFor(int index) =>
        FileSend.Transfers.FirstOrDefault(t => t.ExporterIndex == index && t.Succeeded)?.WrittenPath ?? Exports[index].Path;
}
