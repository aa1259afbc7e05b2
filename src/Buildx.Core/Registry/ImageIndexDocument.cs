using System.Text.Json;
using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Registry;

/// <summary>One manifest of a multi-platform image: what an index entry points at.</summary>
public sealed record PlatformManifestDescriptor(OciPlatform Platform, string MediaType, string Digest, long Size);

/// <summary>
/// Writes an image index: an OCI index, or a Docker manifest list when the exporter asked for
/// Docker media types (<c>oci-mediatypes=false</c>), as buildx's imagetools does.
/// </summary>
public static class ImageIndexDocument
{
    public static (string MediaType, byte[] Content) Create(
        IReadOnlyList<PlatformManifestDescriptor> manifests,
        bool ociMediaTypes,
        IReadOnlyDictionary<string, string>? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        if (!ociMediaTypes && annotations is { Count: > 0 })
        {
            throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.InvalidArgument,
                "Index annotations need OCI media types: a Docker manifest list has no annotations. Set oci-mediatypes=true or drop the index annotations.", null);
        }

        var mediaType = ociMediaTypes ? ManifestMediaTypes.OciIndex : ManifestMediaTypes.DockerManifestList;
        using var buffer = new MemoryStream();
        // Media types carry '+': written as is, as Go's encoder writes them.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", mediaType);
            json.WriteStartArray("manifests");
            foreach (var manifest in manifests)
            {
                json.WriteStartObject();
                json.WriteString("mediaType", manifest.MediaType);
                json.WriteString("digest", manifest.Digest);
                json.WriteNumber("size", manifest.Size);
                WritePlatform(json, manifest.Platform);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (annotations is { Count: > 0 })
            {
                json.WriteStartObject("annotations");
                foreach (var (key, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return (mediaType, buffer.ToArray());
    }

    /// <summary>The entries of an index or manifest list, each with its platform.</summary>
    public static IReadOnlyList<PlatformManifestDescriptor> ReadEntries(byte[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        using var document = JsonDocument.Parse(index);
        var entries = new List<PlatformManifestDescriptor>();
        foreach (var entry in document.RootElement.GetProperty("manifests").EnumerateArray())
        {
            var platform = new OciPlatform();
            if (entry.TryGetProperty("platform", out var p))
            {
                platform.Architecture = Text(p, "architecture");
                platform.OS = Text(p, "os");
                platform.OSVersion = Text(p, "os.version");
                platform.Variant = Text(p, "variant");
                if (p.TryGetProperty("os.features", out var features) && features.ValueKind == JsonValueKind.Array)
                {
                    platform.OSFeatures = features.EnumerateArray().Select(f => f.GetString() ?? string.Empty).ToList();
                }
            }

            entries.Add(new PlatformManifestDescriptor(platform, Text(entry, "mediaType"), Text(entry, "digest"), entry.GetProperty("size").GetInt64()));
        }

        return entries;
    }

    /// <summary>The config and layer digests a single-platform manifest refers to.</summary>
    public static IReadOnlyList<string> ReadBlobDigests(byte[] manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        using var document = JsonDocument.Parse(manifest);
        var root = document.RootElement;
        var digests = new List<string>();
        if (root.TryGetProperty("config", out var config))
        {
            digests.Add(Text(config, "digest"));
        }

        if (root.TryGetProperty("layers", out var layers))
        {
            digests.AddRange(layers.EnumerateArray().Select(layer => Text(layer, "digest")));
        }

        return digests.Where(d => d.Length > 0).Distinct(StringComparer.Ordinal).ToList();
    }

    // Field order as the OCI spec's Go struct writes it.
    private static void WritePlatform(Utf8JsonWriter json, OciPlatform platform)
    {
        json.WriteStartObject("platform");
        json.WriteString("architecture", platform.Architecture);
        json.WriteString("os", platform.OS);
        if (platform.OSVersion.Length > 0)
        {
            json.WriteString("os.version", platform.OSVersion);
        }

        if (platform.OSFeatures is { Count: > 0 } features)
        {
            json.WriteStartArray("os.features");
            foreach (var feature in features)
            {
                json.WriteStringValue(feature);
            }

            json.WriteEndArray();
        }

        if (platform.Variant.Length > 0)
        {
            json.WriteString("variant", platform.Variant);
        }

        json.WriteEndObject();
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : string.Empty;
}
