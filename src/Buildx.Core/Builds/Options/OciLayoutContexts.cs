using System.Text.Json;
using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// Prepares <c>oci-layout://path[:tag][@digest]</c> named contexts as buildx does: the digest comes
/// from the layout's <c>index.json</c> (tag <c>latest</c> by default) unless given, the layout is
/// served through the session's content store under a new store id, and the frontend is told
/// <c>context:&lt;name&gt;=oci-layout://&lt;store id&gt;:&lt;tag&gt;@&lt;digest&gt;</c>.
/// </summary>
public static class OciLayoutContexts
{
    public const string Scheme = "oci-layout://";

    /// <summary>The prefix BuildKit's oci-layout source puts before the store id in its content calls.</summary>
    public const string StorePrefix = "oci:";

    /// <summary>buildx's split: the digest after <c>@</c>, then the tag after <c>:</c>.</summary>
    public static (string Path, string Tag, string? Digest) Split(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var rest = value.StartsWith(Scheme, StringComparison.Ordinal) ? value[Scheme.Length..] : value;
        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
        }

        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? (rest[..colon], rest[(colon + 1)..], digest) : (rest, "latest", digest);
    }

    /// <returns>The options with every oci-layout context pointing at its store, and the stores to serve ("oci:" + id → directory).</returns>
    public static (BuildOptions Options, IReadOnlyDictionary<string, string> Stores) Prepare(BuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stores = new Dictionary<string, string>(StringComparer.Ordinal);
        var contexts = options.NamedContexts.Select(context =>
        {
            if (context.Kind != NamedContextKind.OciLayout)
            {
                return context;
            }

            var (path, tag, digest) = Split(context.Value);
            digest ??= Resolve(context, path, tag);
            // The frontend is told the bare id; the daemon's content calls ask for "oci:" + id.
            var storeId = Session.SessionIdentity.NewId();
            stores[StorePrefix + storeId] = path;
            return context with { Value = $"{Scheme}{storeId}:{tag}@{digest}" };
        }).ToArray();
        return (options with { NamedContexts = contexts }, stores);
    }

    private static string Resolve(NamedContext context, string path, string tag)
    {
        var indexPath = Path.Combine(path, "index.json");
        if (!File.Exists(indexPath))
        {
            throw new BuildxException(ErrorIds.InvalidBuildContext, BuildxErrorKind.ObjectNotFound,
                $"-BuildContext '{context.Name}': '{path}' is not an OCI layout (it has no index.json). Give oci-layout://<layout dir>[:tag][@sha256:digest], e.g. one written by -Output 'type=oci,tar=false,dest=<dir>'.", path);
        }

        try
        {
            return OciLayoutIndex.FindDigest(indexPath, tag)
                ?? throw new BuildxException(ErrorIds.InvalidBuildContext, BuildxErrorKind.ObjectNotFound,
                    $"-BuildContext '{context.Name}': the OCI layout '{path}' has no image tagged '{tag}'. Give :<tag> or @sha256:<digest> of one of its images.", path);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new BuildxException(ErrorIds.InvalidBuildContext, BuildxErrorKind.InvalidArgument,
                $"-BuildContext '{context.Name}': '{indexPath}' is not an OCI index ({ex.Message}).", indexPath, ex);
        }
    }
}
