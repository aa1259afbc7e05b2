using System.Text.Json;

namespace Buildx.Core.Builds.Options;

/// <summary>Finds a tagged manifest in an OCI layout's <c>index.json</c>, as BuildKit's client does (by <c>org.opencontainers.image.ref.name</c>).</summary>
internal static class OciLayoutIndex
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";

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
}
