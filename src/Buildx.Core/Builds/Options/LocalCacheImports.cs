using System.Text.Json;
using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// Prepares <c>type=local</c> cache imports as BuildKit's client does: the cache manifest's digest
/// comes from <c>&lt;src&gt;/index.json</c> (the entry tagged <c>latest</c>, or <c>tag=</c>) unless
/// <c>digest=</c> is given; a directory without an index is skipped with a warning; each imported
/// directory becomes the session content store <c>local:&lt;src&gt;</c>.
/// </summary>
public static class LocalCacheImports
{
    /// <returns>The options with local imports resolved (or dropped), and the content stores to serve.</returns>
    public static (BuildOptions Options, IReadOnlyDictionary<string, string> Stores) Prepare(BuildOptions options, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(warn);
        var stores = new Dictionary<string, string>(StringComparer.Ordinal);
        var imports = new List<CacheSpec>();
        foreach (var import in options.CacheFrom)
        {
            if (import.Type != CacheSpec.Local)
            {
                imports.Add(import);
                continue;
            }

            var source = import.Attributes["src"];
            var attributes = new Dictionary<string, string>(import.Attributes, StringComparer.Ordinal);
            if (string.IsNullOrEmpty(attributes.GetValueOrDefault("digest")))
            {
                var digest = FindDigest(source, attributes.GetValueOrDefault("tag"), warn);
                if (digest is null)
                {
                    continue;
                }

                attributes["digest"] = digest;
            }

            stores["local:" + source] = source;
            imports.Add(import with { Attributes = attributes });
        }

        return (options with { CacheFrom = imports }, stores);
    }

    private static string? FindDigest(string source, string? tag, Action<string> warn)
    {
        var indexPath = Path.Combine(source, "index.json");
        if (!File.Exists(indexPath))
        {
            warn($"local cache import at {source} not found: it has no index.json; the build runs without it.");
            return null;
        }

        var wanted = string.IsNullOrEmpty(tag) ? "latest" : tag;
        try
        {
            if (OciLayoutIndex.FindDigest(indexPath, wanted) is { } digest)
            {
                return digest;
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new BuildxException(ErrorIds.InvalidCacheOption, BuildxErrorKind.InvalidArgument,
                $"-CacheFrom: '{indexPath}' is not an OCI index ({ex.Message}). Give a directory written by a type=local cache export.", indexPath, ex);
        }

        throw new BuildxException(ErrorIds.InvalidCacheOption, BuildxErrorKind.InvalidArgument,
            $"-CacheFrom: '{indexPath}' has no manifest tagged '{wanted}'. Give digest= or tag= for the cache to import.", indexPath);
    }
}
