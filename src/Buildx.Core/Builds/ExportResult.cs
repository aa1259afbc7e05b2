namespace Buildx.Core.Builds;

/// <summary>What one output of a build produced: <c>BuildResult.Exports</c> has one per exporter.</summary>
public sealed record ExportResult
{
    /// <summary>The output as it was asked for (<c>type=registry,name=...</c>).</summary>
    public required string Output { get; init; }

    /// <summary>The exporter BuildKit ran (<c>image</c>, <c>moby</c>, <c>local</c>, <c>tar</c>, <c>oci</c>, <c>docker</c>).</summary>
    public required string Exporter { get; init; }

    /// <summary>The file or directory written on this machine, if any.</summary>
    public string? Path { get; init; }

    /// <summary>The image names: as the exporter reported them, else as they were given.</summary>
    public IReadOnlyList<string> ImageNames { get; init; } = [];

    /// <summary>The image's root manifest (or index) digest, <c>containerimage.digest</c>.</summary>
    public string? Digest { get; init; }

    /// <summary>The image config digest, <c>containerimage.config.digest</c> (the image ID).</summary>
    public string? ConfigDigest { get; init; }

    /// <summary>The names pushed to a registry.</summary>
    public IReadOnlyList<string> Pushed { get; init; } = [];

    /// <summary>True when the image was loaded into the Docker engine.</summary>
    public bool Loaded { get; init; }

    /// <summary>This exporter's own response from BuildKit.</summary>
    public IReadOnlyDictionary<string, string> ExporterResponse { get; init; } = new Dictionary<string, string>();

    public override string ToString() => $"{Exporter}{(Path is null ? string.Empty : " -> " + Path)}{(ImageNames.Count == 0 ? string.Empty : " " + string.Join(',', ImageNames))}";
}
