using System.Text.Json.Serialization;

namespace Buildx.Core.Docker;

/// <summary>The parts of <c>GET /images/{name}/json</c> the module reads.</summary>
public sealed record ImageInspection
{
    [JsonPropertyName("Id")]
    public string Id { get; init; } = string.Empty;

    [JsonPropertyName("RepoTags")]
    public IReadOnlyList<string>? RepoTags { get; init; }

    [JsonPropertyName("Os")]
    public string? Os { get; init; }

    [JsonPropertyName("Architecture")]
    public string? Architecture { get; init; }
}
