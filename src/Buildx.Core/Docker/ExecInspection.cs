using System.Text.Json.Serialization;

namespace Buildx.Core.Docker;

/// <summary>The parts of <c>GET /exec/{id}/json</c> the module reads.</summary>
public sealed record ExecInspection
{
    [JsonPropertyName("ID")]
    public string Id { get; init; } = string.Empty;

    [JsonPropertyName("Running")]
    public bool Running { get; init; }

    /// <summary>Null until the process has exited.</summary>
    [JsonPropertyName("ExitCode")]
    public int? ExitCode { get; init; }
}
