using System.Text.Json.Serialization;

namespace Buildx.Core.Docker;

/// <summary>The body of <c>POST /containers/create</c>: the fields the drivers set.</summary>
public sealed record ContainerSpec
{
    [JsonPropertyName("Image")]
    public required string Image { get; init; }

    /// <summary>Arguments after the image's entrypoint (for BuildKit images, the buildkitd flags).</summary>
    [JsonPropertyName("Cmd")]
    public IReadOnlyList<string>? Cmd { get; init; }

    /// <summary><c>NAME=value</c> entries.</summary>
    [JsonPropertyName("Env")]
    public IReadOnlyList<string>? Env { get; init; }

    [JsonPropertyName("HostConfig")]
    public ContainerHostConfig HostConfig { get; init; } = new();
}
