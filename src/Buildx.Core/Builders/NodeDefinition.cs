namespace Buildx.Core.Builders;

/// <summary>A node as configured (stored or synthesized), before its status is known.</summary>
public sealed record NodeDefinition
{
    public required string Name { get; init; }

    public required string Endpoint { get; init; }

    /// <summary>Platforms the user declared for the node (<c>--platform</c>).</summary>
    public IReadOnlyList<string> Platforms { get; init; } = [];

    public IReadOnlyDictionary<string, string> DriverOptions { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> BuildkitdFlags { get; init; } = [];

    /// <summary>Files for the daemon's config directory (<c>buildkitd.toml</c>, <c>certs/…</c>), from <c>-BuildkitdConfig</c>.</summary>
    public IReadOnlyDictionary<string, byte[]> ConfigFiles { get; init; } = new Dictionary<string, byte[]>();
}
