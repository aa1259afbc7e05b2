using Buildx.Core.Builds.Options;
using Buildx.Core.Exports;

namespace Buildx.Core.Builds;

/// <summary>Everything a build needs, already typed and checked by the caller.</summary>
public sealed record BuildRequest
{
    /// <summary>The build context directory.</summary>
    public required string ContextPath { get; init; }

    /// <summary>The Dockerfile; defaults to <c>Dockerfile</c> in the context.</summary>
    public string? DockerfilePath { get; init; }

    public string? Target { get; init; }

    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Tags { get; init; } = [];

    public bool NoCache { get; init; }

    public IReadOnlyList<ExportSpec> Outputs { get; init; } = [];

    /// <summary>Where <c>dest=-</c> tarballs go; null when there is no such stream.</summary>
    public Stream? StandardOutput { get; init; }

    /// <summary>Cache, secrets, SSH, annotations, attestations, RUN-step settings, named contexts, pull.</summary>
    public BuildOptions Options { get; init; } = BuildOptions.None;
}
