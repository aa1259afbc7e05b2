using System.Text.Json.Serialization;

namespace Buildx.Core.Docker;

/// <summary>An entry of <c>HostConfig.Mounts</c>: a named volume or a bind.</summary>
public sealed record ContainerMount(
    [property: JsonPropertyName("Type")] string Type,
    [property: JsonPropertyName("Source")] string Source,
    [property: JsonPropertyName("Target")] string Target)
{
    [JsonPropertyName("ReadOnly")]
    public bool ReadOnly { get; init; }

    public static ContainerMount Volume(string name, string target) => new("volume", name, target);
}
