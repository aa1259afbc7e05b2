using System.Text.Json;
using System.Text.Json.Serialization;

namespace Buildx.Core.Store;

/// <summary>
/// One node of a stored builder, as buildx's <c>store.Node</c>. Null collections are written as
/// JSON <c>null</c> and empty ones as <c>[]</c>/<c>{}</c>, as Go writes nil and empty slices and maps,
/// so the distinction is kept on purpose.
/// </summary>
[JsonConverter(typeof(NodeJsonConverter))]
public sealed class Node
{
    public string Name { get; set; } = string.Empty;

    public string Endpoint { get; set; } = string.Empty;

    /// <summary>Platforms the user pinned with <c>--platform</c>.</summary>
    public IList<OciPlatform>? Platforms { get; set; }

    /// <summary><c>--driver-opt</c> values; Go writes the keys sorted.</summary>
    public IDictionary<string, string>? DriverOpts { get; set; }

    /// <summary>buildkitd argv (<c>--buildkitd-flags</c>). Stored under the JSON name <c>Flags</c>.</summary>
    public IList<string>? BuildkitdFlags { get; set; }

    /// <summary>Files for the daemon (<c>buildkitd.toml</c>, <c>certs/...</c>); base64 in the file.</summary>
    public IDictionary<string, byte[]>? Files { get; set; }

    /// <summary>Fields a newer buildx wrote that this version does not know; written back unchanged.</summary>
    public IDictionary<string, JsonElement> AdditionalFields { get; } = new Dictionary<string, JsonElement>(StringComparer.Ordinal);

    /// <summary>A deep copy that keeps null collections null.</summary>
    public Node Copy()
    {
        var copy = new Node
        {
            Name = Name,
            Endpoint = Endpoint,
            Platforms = Platforms?.Select(p => p.Copy()).ToList(),
            DriverOpts = DriverOpts is null ? null : new Dictionary<string, string>(DriverOpts, StringComparer.Ordinal),
            BuildkitdFlags = BuildkitdFlags is null ? null : [.. BuildkitdFlags],
            Files = Files?.ToDictionary(f => f.Key, f => f.Value.ToArray(), StringComparer.Ordinal),
        };
        foreach (var field in AdditionalFields)
        {
            copy.AdditionalFields[field.Key] = field.Value;
        }

        return copy;
    }
}
