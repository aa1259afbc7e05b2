using System.Text.Json;
using System.Text.Json.Serialization;

namespace Buildx.Core.Docker;

/// <summary>JSON settings for Engine API bodies: unset (null) fields are left out, so the engine applies its defaults.</summary>
internal static class EngineJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
