using System.Text.Json;
using System.Text.Json.Serialization;

namespace Buildx.Core.Store;

/// <summary>
/// An OCI image-spec <c>Platform</c> as a node's <c>Platforms</c> stores it. JSON field order and
/// omission follow the Go struct: <c>architecture</c>, <c>os</c>, then <c>os.version</c>,
/// <c>os.features</c> and <c>variant</c>, each left out when empty (<c>omitempty</c>).
/// </summary>
[JsonConverter(typeof(OciPlatformJsonConverter))]
public sealed class OciPlatform
{
    public string Architecture { get; set; } = string.Empty;

    public string OS { get; set; } = string.Empty;

    public string OSVersion { get; set; } = string.Empty;

    /// <summary>Null and empty both mean none; Go omits either from the file.</summary>
    public IList<string>? OSFeatures { get; set; }

    public string Variant { get; set; } = string.Empty;

    /// <summary>Fields a newer buildx wrote that this version does not know; written back unchanged.</summary>
    public IDictionary<string, JsonElement> AdditionalFields { get; } = new Dictionary<string, JsonElement>(StringComparer.Ordinal);

    public OciPlatform Copy()
    {
        var copy = new OciPlatform
        {
            Architecture = Architecture,
            OS = OS,
            OSVersion = OSVersion,
            OSFeatures = OSFeatures is null ? null : [.. OSFeatures],
            Variant = Variant,
        };
        foreach (var field in AdditionalFields)
        {
            copy.AdditionalFields[field.Key] = field.Value;
        }

        return copy;
    }

    /// <summary><c>os/arch[/variant]</c>, as containerd's <c>platforms.Format</c>.</summary>
    public override string ToString() => PlatformSpecifier.Format(this);
}
