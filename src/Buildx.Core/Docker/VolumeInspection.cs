using System.Text.Json.Serialization;

namespace Buildx.Core.Docker;

/// <summary>The parts of <c>GET /volumes/{name}</c> the module reads.</summary>
public sealed record VolumeInspection
{
    [JsonPropertyName("Name")]
    public string Name { get; init; } = string.Empty;

    [JsonPropertyName("Driver")]
    public string Driver { get; init; } = string.Empty;

    [JsonPropertyName("Mountpoint")]
    public string Mountpoint { get; init; } = string.Empty;
}
