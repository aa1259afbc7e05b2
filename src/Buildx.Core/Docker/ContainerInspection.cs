using System.Text.Json.Serialization;

namespace Buildx.Core.Docker;

/// <summary>The parts of <c>GET /containers/{name}/json</c> the module reads.</summary>
public sealed record ContainerInspection
{
    [JsonPropertyName("Id")]
    public string Id { get; init; } = string.Empty;

    /// <summary>The name with the engine's leading slash, such as <c>/buildx_buildkit_node0</c>.</summary>
    [JsonPropertyName("Name")]
    public string Name { get; init; } = string.Empty;

    [JsonPropertyName("State")]
    public ContainerState State { get; init; } = new();

    [JsonPropertyName("Config")]
    public ContainerConfig Config { get; init; } = new();

    [JsonPropertyName("HostConfig")]
    public ContainerHostConfig HostConfig { get; init; } = new();

    [JsonPropertyName("Mounts")]
    public IReadOnlyList<ContainerMountPoint> Mounts { get; init; } = [];
}

/// <summary>A container's <c>State</c>: <c>created</c>, <c>running</c>, <c>exited</c>, ...</summary>
public sealed record ContainerState
{
    [JsonPropertyName("Status")]
    public string Status { get; init; } = string.Empty;

    [JsonPropertyName("Running")]
    public bool Running { get; init; }

    [JsonPropertyName("ExitCode")]
    public int ExitCode { get; init; }

    [JsonPropertyName("Error")]
    public string? Error { get; init; }
}

/// <summary>A container's <c>Config</c> as the engine resolved it (image defaults merged in).</summary>
public sealed record ContainerConfig
{
    [JsonPropertyName("Image")]
    public string Image { get; init; } = string.Empty;

    [JsonPropertyName("Cmd")]
    public IReadOnlyList<string>? Cmd { get; init; }

    [JsonPropertyName("Entrypoint")]
    public IReadOnlyList<string>? Entrypoint { get; init; }

    [JsonPropertyName("Env")]
    public IReadOnlyList<string>? Env { get; init; }
}

/// <summary>An entry of an inspected container's <c>Mounts</c>.</summary>
public sealed record ContainerMountPoint
{
    [JsonPropertyName("Type")]
    public string Type { get; init; } = string.Empty;

    /// <summary>The volume name, for volume mounts.</summary>
    [JsonPropertyName("Name")]
    public string? Name { get; init; }

    [JsonPropertyName("Source")]
    public string Source { get; init; } = string.Empty;

    [JsonPropertyName("Destination")]
    public string Destination { get; init; } = string.Empty;

    [JsonPropertyName("RW")]
    public bool ReadWrite { get; init; }
}
