using Buildx.Core.Exports;

namespace Buildx.Core.Builds;

/// <summary>Reads one exporter's outcome out of BuildKit's response.</summary>
internal static class ExportResults
{
    public static ExportResult Create(PlannedExport export, IReadOnlyDictionary<string, string> response, string? path, IReadOnlyList<string> pushed, bool loaded)
    {
        var names = response.TryGetValue("image.name", out var reported) && reported.Length > 0
            ? reported.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : export.Names;
        return new ExportResult
        {
            Output = export.Requested,
            Exporter = export.Type,
            Path = path,
            ImageNames = names.ToArray(),
            Digest = response.GetValueOrDefault("containerimage.digest"),
            ConfigDigest = response.GetValueOrDefault("containerimage.config.digest"),
            Pushed = pushed,
            Loaded = loaded || export.Type == ExportSpec.Moby,
            ExporterResponse = response,
        };
    }
}
