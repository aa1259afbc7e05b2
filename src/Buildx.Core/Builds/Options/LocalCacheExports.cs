using System.Text.Json;
using System.Text.Json.Nodes;
using Buildx.Core.Errors;
using Buildx.Core.Session.Content;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// <c>type=local</c> cache exports as BuildKit's client runs them: each <c>dest</c> is served as the
/// writable session content store <c>local:&lt;dest&gt;</c> (the daemon derives the same id from the
/// dest attribute), BuildKit writes the cache blobs into it, and when the solve answers with
/// <c>cache.manifest</c> the client puts that descriptor into <c>&lt;dest&gt;/index.json</c> under
/// <c>tag=</c> (default <c>latest</c>); with <c>reset=true</c> the blobs no manifest in index.json
/// reaches are then deleted. A failed export leaves dest as it was.
/// </summary>
public sealed class LocalCacheExports
{
    public const string ManifestResponseKey = "cache.manifest";

    private readonly IReadOnlyList<LocalCacheExport> exports;

    private LocalCacheExports(IReadOnlyList<LocalCacheExport> exports) => this.exports = exports;

    /// <summary>Store id to writable store, for the session's content service.</summary>
    public IEnumerable<KeyValuePair<string, LayoutContentStore>> Stores => exports.Select(e => new KeyValuePair<string, LayoutContentStore>(e.StoreId, e.Store));

    public int Count => exports.Count;

    /// <exception cref="BuildxException">InvalidCacheOption when dest is a file or holds an index.json that is not an OCI index.</exception>
    public static LocalCacheExports Prepare(BuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exports = new List<LocalCacheExport>();
        foreach (var export in options.CacheTo.Where(c => c.Type == CacheSpec.Local))
        {
            var dest = export.Attributes["dest"];
            var directory = Path.GetFullPath(dest);
            if (File.Exists(directory))
            {
                throw new BuildxException(ErrorIds.InvalidCacheOption, BuildxErrorKind.InvalidArgument,
                    $"-CacheTo: dest '{dest}' is a file. Give a directory for the cache (it is created if missing), e.g. 'type=local,dest=./cache'.", dest);
            }

            try
            {
                OciLayoutIndex.CheckUpdatable(directory);
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                throw new BuildxException(ErrorIds.InvalidCacheOption, BuildxErrorKind.InvalidArgument,
                    $"-CacheTo: '{Path.Combine(directory, "index.json")}' is not an OCI index ({ex.Message}). Give an empty directory or one written by a type=local cache export.", dest, ex);
            }

            var tag = export.Attributes.GetValueOrDefault("tag") is { Length: > 0 } given ? given : "latest";
            var reset = export.Attributes.GetValueOrDefault("reset") is "1" or "t" or "T" or "TRUE" or "true" or "True";
            exports.Add(new LocalCacheExport("local:" + dest, tag, reset, new LayoutContentStore(directory, writable: true)));
        }

        return new LocalCacheExports(exports);
    }

    /// <summary>A solve is about to start: the stores take writes.</summary>
    public void BeginSolve()
    {
        foreach (var export in exports)
        {
            export.Store.BeginSolve();
        }
    }

    /// <summary>
    /// The solve succeeded: records the cache manifest in each dest that holds it, and removes any
    /// ingest left behind. Without a manifest (nothing to export, or ignore-error) dest is left as it was.
    /// </summary>
    /// <returns>The dest directories whose index.json now points at the cache.</returns>
    public IReadOnlyList<string> Complete(IReadOnlyDictionary<string, string> exporterResponse, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(exporterResponse);
        ArgumentNullException.ThrowIfNull(warn);
        if (exports.Count == 0)
        {
            return [];
        }

        var descriptor = exporterResponse.TryGetValue(ManifestResponseKey, out var json) ? ParseDescriptor(json) : null;
        var written = new List<string>();
        foreach (var export in exports)
        {
            var digest = descriptor?["digest"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            if (descriptor is null || !ContentDigest.TryParse(digest, out var parsed) || export.Store.FindBlob(parsed) is null)
            {
                if (descriptor is not null)
                {
                    warn($"The cache manifest {digest} was not written to '{export.Store.Directory}'; its index.json is unchanged.");
                }

                export.Store.Abandon();
                continue;
            }

            try
            {
                OciLayoutIndex.Put(export.Store.Directory, descriptor, export.Tag);
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                export.Store.Abandon();
                throw new BuildxException(ErrorIds.ExportFailed, BuildxErrorKind.InvalidOperation,
                    $"The build succeeded but the cache index '{Path.Combine(export.Store.Directory, "index.json")}' could not be written: {ex.Message}", export.Store.Directory, ex);
            }

            export.Store.Finish();
            written.Add(export.Store.Directory);
            if (export.Reset)
            {
                LocalCacheReset.Run(export.Store.Directory, warn);
            }
        }

        return written;
    }

    /// <summary>The solve failed or was cancelled: every dest goes back to how it was.</summary>
    public void Abandon()
    {
        foreach (var export in exports)
        {
            export.Store.Abandon();
        }
    }

    private static JsonObject? ParseDescriptor(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record LocalCacheExport(string StoreId, string Tag, bool Reset, LayoutContentStore Store);
}
