namespace Buildx.Core.Builds;

/// <summary>What a finished build produced: the object <c>Invoke-BuildxBuild</c> returns.</summary>
public sealed record BuildResult
{
    public required string Builder { get; init; }

    public required string Node { get; init; }

    /// <summary>BuildKit's build ref (the Solve and Status key).</summary>
    public required string Ref { get; init; }

    /// <summary>BuildKit's exporter response (containerimage.digest, image.name, ...).</summary>
    public required IReadOnlyDictionary<string, string> ExporterResponse { get; init; }

    /// <summary>The image digest, when an image exporter produced one.</summary>
    public string? ImageDigest => ExporterResponse.TryGetValue("containerimage.digest", out var digest) ? digest : null;

    /// <summary>The image's config digest (its image ID), when the exporter reported one.</summary>
    public string? ImageConfigDigest => ExporterResponse.TryGetValue("containerimage.config.digest", out var digest) ? digest : null;

    /// <summary>The image names: as the exporter reported them, else as they were requested.</summary>
    public IReadOnlyList<string> ImageNames { get; init; } = [];

    /// <summary>Files and directories the exporters wrote on this machine.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>One entry per exporter, in the order the outputs were given: names, digests, paths, pushes.</summary>
    public IReadOnlyList<ExportResult> Exports { get; init; } = [];

    /// <summary>How many Solve calls the build took: one, or one per output where the builder takes a single exporter per solve.</summary>
    public int SolveCount { get; init; } = 1;

    public required TimeSpan Duration { get; init; }

    /// <summary>Every step BuildKit reported, in order: names, cached or not, times, errors.</summary>
    public IReadOnlyList<BuildStep> Steps { get; init; } = [];

    public required int StepCount { get; init; }

    public required int CachedStepCount { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Bytes this client sent through the build's session (context transfer).</summary>
    public long SessionBytesSent { get; init; }

    /// <summary>For a multi-platform build: each platform, the node that built it and its manifest digest.</summary>
    public IReadOnlyList<PlatformBuildResult> Platforms { get; init; } = [];

    /// <summary>Bytes the daemon sent back through the session (exports).</summary>
    public long SessionBytesReceived { get; init; }
}
