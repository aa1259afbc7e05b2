using System.Text.Json;
using Buildx.Core.Session.Content;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// <c>reset=true</c> on a type=local cache export, as BuildKit's client runs it once index.json is
/// updated: every blob that no manifest in index.json reaches (through image indexes' manifests and
/// image manifests' config and layers) is deleted, so the directory holds only live cache. Any
/// problem is a warning and deletes nothing.
/// </summary>
internal static class LocalCacheReset
{
    private static readonly HashSet<string> IndexTypes = new(StringComparer.Ordinal)
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    };

    private static readonly HashSet<string> ManifestTypes = new(StringComparer.Ordinal)
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    };

    /// <returns>The digests of the blobs deleted.</returns>
    public static IReadOnlyList<string> Run(string layoutDirectory, Action<string> warn)
    {
        try
        {
            var referenced = Referenced(layoutDirectory);
            var deleted = new List<string>();
            var blobs = Path.Combine(layoutDirectory, "blobs");
            foreach (var file in Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).ToArray())
            {
                var digest = Path.GetFileName(Path.GetDirectoryName(file)) + ":" + Path.GetFileName(file);
                if (!referenced.Contains(digest))
                {
                    File.Delete(file);
                    deleted.Add(digest);
                }
            }

            return deleted;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException or KeyNotFoundException)
        {
            warn($"reset=true: the unreferenced blobs of '{layoutDirectory}' were left in place: {ex.Message}");
            return [];
        }
    }

    private static HashSet<string> Referenced(string layoutDirectory)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<JsonElement>();
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layoutDirectory, "index.json")));
        foreach (var manifest in index.RootElement.GetProperty("manifests").EnumerateArray())
        {
            pending.Enqueue(manifest.Clone());
        }

        while (pending.TryDequeue(out var descriptor))
        {
            var digest = descriptor.GetProperty("digest").GetString() ?? throw new InvalidOperationException("a descriptor has no digest");
            if (!referenced.Add(digest))
            {
                continue;
            }

            var mediaType = descriptor.TryGetProperty("mediaType", out var type) ? type.GetString() ?? string.Empty : string.Empty;
            if (!IndexTypes.Contains(mediaType) && !ManifestTypes.Contains(mediaType))
            {
                continue;
            }

            if (!ContentDigest.TryParse(digest, out var parsed))
            {
                throw new InvalidOperationException($"'{digest}' is not a digest");
            }

            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layoutDirectory, "blobs", parsed.Algorithm, parsed.Encoded)));
            var children = IndexTypes.Contains(mediaType)
                ? document.RootElement.GetProperty("manifests").EnumerateArray()
                : new[] { document.RootElement.GetProperty("config") }.Concat(document.RootElement.GetProperty("layers").EnumerateArray());
            foreach (var child in children)
            {
                pending.Enqueue(child.Clone());
            }
        }

        return referenced;
    }
}
