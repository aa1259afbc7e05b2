using System.Text.Json;
using System.Text.Json.Nodes;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// Reads and updates an OCI layout's <c>index.json</c> as BuildKit's client does (its ociindex
/// package): manifests are tagged with <c>org.opencontainers.image.ref.name</c>.
/// </summary>
internal static class OciLayoutIndex
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private const string ImageNameAnnotation = "io.containerd.image.name";

    /// <returns>The digest, or null when no manifest has that tag.</returns>
    /// <exception cref="JsonException">index.json is not an OCI index.</exception>
    public static string? FindDigest(string indexPath, string tag)
    {
        using var index = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        foreach (var manifest in index.RootElement.GetProperty("manifests").EnumerateArray())
        {
            if (manifest.TryGetProperty("annotations", out var annotations)
                && annotations.TryGetProperty(RefNameAnnotation, out var name)
                && name.GetString() == tag)
            {
                return manifest.GetProperty("digest").GetString();
            }
        }

        return null;
    }

    /// <summary>Throws when an existing index.json could not be updated (it is not a JSON object with a manifests array).</summary>
    /// <exception cref="JsonException">index.json is not an OCI index.</exception>
    public static void CheckUpdatable(string layoutDirectory)
    {
        var indexPath = Path.Combine(layoutDirectory, "index.json");
        if (File.Exists(indexPath))
        {
            Read(indexPath);
        }
    }

    /// <summary>
    /// Puts <paramref name="descriptor"/> into the layout's index.json under <paramref name="tag"/>,
    /// replacing the manifest that had that tag (and no image name), and writes the <c>oci-layout</c>
    /// file. The new index replaces the old one in one rename, so a reader never sees half of it.
    /// </summary>
    /// <exception cref="JsonException">The existing index.json is not an OCI index.</exception>
    public static void Put(string layoutDirectory, JsonObject descriptor, string tag)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var indexPath = Path.Combine(layoutDirectory, "index.json");
        var index = File.Exists(indexPath) ? Read(indexPath) : new JsonObject();
        index["schemaVersion"] ??= 2;
        index["mediaType"] ??= "application/vnd.oci.image.index.v1+json";
        var manifests = index["manifests"] as JsonArray ?? [];
        index["manifests"] = null;
        var kept = manifests.Where(m => !(Annotation(m, RefNameAnnotation) == tag && Annotation(m, ImageNameAnnotation) is null or "")).Select(m => m?.DeepClone()).ToList();
        var entry = (JsonObject)descriptor.DeepClone();
        var annotations = entry["annotations"] as JsonObject ?? [];
        annotations[RefNameAnnotation] = tag;
        entry["annotations"] = annotations;
        kept.Add(entry);
        index["manifests"] = new JsonArray([.. kept]);

        WriteAtomically(Path.Combine(layoutDirectory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray());
        WriteAtomically(indexPath, JsonSerializer.SerializeToUtf8Bytes(index));
    }

    private static JsonObject Read(string indexPath)
    {
        var node = JsonNode.Parse(File.ReadAllBytes(indexPath)) as JsonObject
            ?? throw new JsonException($"{indexPath} is not a JSON object");
        if (node["manifests"] is not (null or JsonArray))
        {
            throw new JsonException($"{indexPath}: manifests is not an array");
        }

        return node;
    }

    private static string? Annotation(JsonNode? manifest, string key) =>
        manifest?["annotations"] is JsonObject annotations && annotations[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static void WriteAtomically(string path, byte[] content)
    {
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
