using System.Text.RegularExpressions;
using Buildx.Core.Errors;

namespace Buildx.Core.Exports;

/// <summary>
/// buildx's <c>--annotation</c> syntax, <c>[level[,level…]:]key</c> where a level is
/// <c>manifest</c>, <c>index</c>, <c>manifest-descriptor</c> or <c>index-descriptor</c>, optionally
/// with a platform (<c>manifest[linux/amd64]</c>), turned into exporter attribute keys
/// (<c>annotation-index.key</c>, <c>annotation-manifest[linux/amd64].key</c>; no level: <c>annotation.key</c>).
/// </summary>
public static partial class AnnotationSpec
{
    public static IReadOnlyList<string> ToAttributeKeys(string annotation)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        var colon = annotation.IndexOf(':', StringComparison.Ordinal);
        // A key may itself contain ':' only when a level list precedes it.
        if (colon < 0 || !LevelList().IsMatch(annotation[..colon]))
        {
            return [Key("annotation", annotation, annotation)];
        }

        var key = annotation[(colon + 1)..];
        return annotation[..colon].Split(',').Select(level => Key("annotation-" + level.Trim(), key, annotation)).ToArray();
    }

    private static string Key(string prefix, string key, string original)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Any(char.IsWhiteSpace))
        {
            throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.InvalidArgument,
                $"The annotation '{original}' has no key or a key with spaces; give 'key', or '<levels>:key' with levels {string.Join(", ", ExportAttributeRules.AnnotationLevels)} (e.g. 'index,manifest:org.opencontainers.image.title').",
                original);
        }

        return prefix + "." + key;
    }

    [GeneratedRegex(@"^[a-z-]+(?:\[[A-Za-z0-9_/-]+\])?(?:,[a-z-]+(?:\[[A-Za-z0-9_/-]+\])?)*$")]
    private static partial Regex LevelList();
}
