using System.Globalization;
using System.Text.RegularExpressions;
using Buildx.Core.Errors;
using Buildx.Core.Text;

namespace Buildx.Core.Exports;

/// <summary>
/// Checks an output's attributes before anything is sent: BuildKit silently ignores keys it does
/// not know and fails late on bad values, so typos and out-of-range values are refused here with
/// what is accepted. Documented names BuildKit reads under another key are rewritten to that key.
/// </summary>
public static partial class ExportAttributeRules
{
    /// <summary>The compression algorithms and the levels each accepts.</summary>
    public static IReadOnlyDictionary<string, (int Min, int Max)?> Compressions { get; } = new Dictionary<string, (int, int)?>(StringComparer.Ordinal)
    {
        ["uncompressed"] = null,
        ["gzip"] = (0, 9),
        ["estargz"] = (0, 9),
        ["zstd"] = (0, 22),
    };

    /// <summary>The annotation levels of <c>annotation-&lt;level&gt;.&lt;key&gt;</c>.</summary>
    public static IReadOnlyList<string> AnnotationLevels { get; } = ["manifest", "manifest-descriptor", "index", "index-descriptor"];

    // Keys read by BuildKit's image commit options (image, oci, docker exporters).
    private static readonly string[] ImageCommitKeys =
    [
        "name", "compression", "compression-level", "force-compression", "oci-mediatypes", "oci-artifact",
        "buildinfo", "buildinfo-attrs", "attestation-inline", "prefer-nondist-layers", "rewrite-timestamp", "source-date-epoch",
    ];

    // Keys the image exporter reads on top (registry is the image exporter with push=true).
    private static readonly string[] ImageOnlyKeys =
    [
        "push", "push-by-digest", "registry.insecure", "unpack", "store", "dangling-name-prefix", "danging-name-empty-only",
        "name-canonical", "unsafe-internal-store-allow-incomplete",
    ];

    private static readonly string[] FileSystemKeys = ["platform-split", "attestation-prefix", "source-date-epoch"];

    /// <summary>Per exporter type, the attribute keys it reads (annotations are matched by pattern).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> KeysByType { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [ExportSpec.Image] = [.. ImageCommitKeys, .. ImageOnlyKeys],
        [ExportSpec.Registry] = [.. ImageCommitKeys, .. ImageOnlyKeys],
        [ExportSpec.Oci] = [.. ImageCommitKeys, "tar"],
        // context: buildx's own key (the Docker context that loads the image), passed through.
        [ExportSpec.Docker] = [.. ImageCommitKeys, "tar", "context"],
        [ExportSpec.Local] = [.. FileSystemKeys, "mode"],
        [ExportSpec.Tar] = FileSystemKeys,
        [ExportSpec.CacheOnly] = [],
    };

    /// <summary>
    /// Names people write that BuildKit reads under another key: <c>insecure</c> is documented in
    /// places but only <c>registry.insecure</c> is read, and BuildKit spells the empty-only key
    /// <c>danging-name-empty-only</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Aliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["insecure"] = "registry.insecure",
        ["dangling-name-empty-only"] = "danging-name-empty-only",
    };

    private static readonly HashSet<string> BoolKeys = new(StringComparer.Ordinal)
    {
        "push", "push-by-digest", "registry.insecure", "unpack", "store", "danging-name-empty-only", "name-canonical",
        "force-compression", "oci-mediatypes", "oci-artifact", "buildinfo", "buildinfo-attrs", "attestation-inline",
        "prefer-nondist-layers", "rewrite-timestamp", "unsafe-internal-store-allow-incomplete", "tar", "platform-split",
    };

    /// <summary>
    /// Returns the attributes under the keys BuildKit reads, or throws <see cref="ErrorIds.InvalidOutput"/>
    /// saying which key or value is wrong and what is accepted.
    /// </summary>
    public static Dictionary<string, string> Normalize(ExportSpec output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!KeysByType.TryGetValue(output.Type, out var known))
        {
            throw Invalid(output, $"the type '{output.Type}' is not known; types: {string.Join(", ", ExportSpec.KnownTypes)}");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (rawKey, value) in output.Attributes)
        {
            var key = Aliases.TryGetValue(rawKey, out var canonical) ? canonical : rawKey;
            if (IsAnnotation(key))
            {
                CheckAnnotation(output, key);
            }
            else if (!known.Contains(key))
            {
                throw Invalid(output, UnknownKeyMessage(output.Type, rawKey, known));
            }

            if (BoolKeys.Contains(key) && !TryParseBool(value, out _))
            {
                throw Invalid(output, $"'{rawKey}={value}' is not a boolean; give true or false");
            }

            if (!result.TryAdd(key, value))
            {
                throw Invalid(output, $"'{rawKey}' sets '{key}' a second time");
            }
        }

        CheckValues(output, result);
        return result;
    }

    /// <summary>Go's strconv.ParseBool, which BuildKit uses; an empty value means true for its flags.</summary>
    public static bool TryParseBool(string value, out bool result)
    {
        if (value.Length == 0)
        {
            result = true;
            return true;
        }

        return GoBool.TryParse(value, out result);
    }

    /// <summary>The value of a boolean attribute, or its default when absent.</summary>
    public static bool GetBool(IReadOnlyDictionary<string, string> attributes, string key, bool fallback) =>
        attributes.TryGetValue(key, out var value) && TryParseBool(value, out var parsed) ? parsed : fallback;

    private static void CheckValues(ExportSpec output, Dictionary<string, string> attributes)
    {
        var compression = attributes.GetValueOrDefault("compression");
        if (compression is not null && !Compressions.ContainsKey(compression))
        {
            throw Invalid(output, $"compression '{compression}' is not known; give one of {string.Join(", ", Compressions.Keys)}");
        }

        if (attributes.TryGetValue("compression-level", out var levelText))
        {
            var algorithm = compression ?? "gzip";
            if (Compressions[algorithm] is not { } range)
            {
                throw Invalid(output, $"compression-level does not apply to compression={algorithm}; levels are 0-9 for gzip and estargz, 0-22 for zstd");
            }

            if (!int.TryParse(levelText, NumberStyles.None, CultureInfo.InvariantCulture, out var level) || level < range.Min || level > range.Max)
            {
                throw Invalid(output, $"compression-level '{levelText}' is out of range for {algorithm}; give {range.Min}-{range.Max} (gzip and estargz 0-9, zstd 0-22)");
            }
        }

        if (attributes.TryGetValue("source-date-epoch", out var epoch)
            && !long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw Invalid(output, $"source-date-epoch '{epoch}' is not a Unix time; give whole seconds since 1970, e.g. 0 or 1700000000");
        }

        if (attributes.TryGetValue("mode", out var mode) && mode is not ("copy" or "delete"))
        {
            throw Invalid(output, $"mode '{mode}' is not known; give copy or delete");
        }

        // oci-mediatypes defaults to true at current BuildKit; only an explicit false conflicts.
        var dockerMediaTypes = attributes.TryGetValue("oci-mediatypes", out var oci) && TryParseBool(oci, out var ociTypes) && !ociTypes;
        if (dockerMediaTypes && compression == "estargz")
        {
            throw Invalid(output, "compression=estargz needs OCI media types; drop oci-mediatypes=false or choose gzip, zstd or uncompressed");
        }

        if (dockerMediaTypes && GetBool(attributes, "oci-artifact", false))
        {
            throw Invalid(output, "oci-artifact=true needs OCI media types; drop oci-mediatypes=false or oci-artifact=true");
        }

        if (GetBool(attributes, "rewrite-timestamp", false) && GetBool(attributes, "unpack", false))
        {
            throw Invalid(output, "rewrite-timestamp=true cannot be combined with unpack=true; drop one of them");
        }

        if (GetBool(attributes, "push-by-digest", false) && attributes.TryGetValue("push", out _) && !GetBool(attributes, "push", false))
        {
            throw Invalid(output, "push-by-digest=true pushes, so it cannot be combined with push=false");
        }

        if (output.Type is ExportSpec.CacheOnly or ExportSpec.Image or ExportSpec.Registry && output.Destination is not null)
        {
            throw Invalid(output, $"the {output.Type} output keeps its result in the builder or a registry, so it takes no dest; give dest to local, tar, oci or docker");
        }
    }

    private static bool IsAnnotation(string key) => key.StartsWith("annotation", StringComparison.Ordinal);

    private static void CheckAnnotation(ExportSpec output, string key)
    {
        var match = AnnotationKey().Match(key);
        if (!match.Success)
        {
            throw Invalid(output, $"'{key}' is not an annotation key; give annotation.<key>, annotation-<level>.<key> or annotation-<level>[<platform>].<key> with levels {string.Join(", ", AnnotationLevels)}");
        }

        var level = match.Groups[1].Success ? match.Groups[1].Value : "manifest";
        if (!AnnotationLevels.Contains(level))
        {
            throw Invalid(output, $"the annotation level '{level}' in '{key}' is not known; give one of {string.Join(", ", AnnotationLevels)}");
        }

        if (output.Type is ExportSpec.Local or ExportSpec.Tar or ExportSpec.CacheOnly)
        {
            throw Invalid(output, $"the {output.Type} exporter writes files, not an image, so it takes no annotations; annotations apply to image, registry, oci and docker");
        }
    }

    private static string UnknownKeyMessage(string type, string key, IReadOnlyList<string> known)
    {
        var suggestion = ClosestMatch.Find(key, known);
        var accepted = known.Count == 0 ? "none" : string.Join(", ", known) + (type is ExportSpec.Local or ExportSpec.Tar ? string.Empty : ", annotation.<key>");
        return $"the {type} exporter has no attribute '{key}'{(suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)")}; it accepts: {accepted}";
    }

    internal static BuildxException Invalid(ExportSpec output, string why) => new(
        ErrorIds.InvalidOutput,
        BuildxErrorKind.InvalidArgument,
        $"Invalid output '{output}': {why}.",
        output.ToString());

    [GeneratedRegex(@"^annotation(?:-([a-z-]+))?(?:\[([A-Za-z0-9_/-]+)\])?\.(\S+)$")]
    private static partial Regex AnnotationKey();
}
