using System.Text.RegularExpressions;
using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// One <c>--annotation</c>: <c>[type[platform],...:]key=value</c>. Each becomes an exporter attribute
/// <c>annotation[-type][[platform]].key</c> on every output, as buildx sends it.
/// </summary>
public sealed partial record AnnotationSpec(string AttributeKey, string Value)
{
    internal const string Accepted =
        "Give 'key=value' or 'type[platform],...:key=value' with types manifest, manifest-descriptor, index, index-descriptor, e.g. 'index:org.opencontainers.image.title=app' or 'manifest[linux/amd64]:k=v'.";

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "manifest", "manifest-descriptor", "index", "index-descriptor" };

    public static IReadOnlyList<AnnotationSpec> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw OptionText.Invalid(ErrorIds.InvalidAnnotation, "Annotation", $"'{text}' is not key=value. {Accepted}");
        }

        return Create(text[..equals], text[(equals + 1)..]);
    }

    /// <summary>Builds the entries for one key (which may carry a types prefix) and value.</summary>
    public static IReadOnlyList<AnnotationSpec> Create(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        // As buildx: only a list of lowercase types (with optional [platform]) is a prefix; 'com.example:k' is a key.
        if (colon < 0 || !TypeListPattern().IsMatch(key[..colon]))
        {
            return [new AnnotationSpec("annotation." + CheckKey(key), value)];
        }

        var name = CheckKey(key[(colon + 1)..]);
        var result = new List<AnnotationSpec>();
        foreach (var typeAndPlatform in key[..colon].Split(','))
        {
            var match = TypePattern().Match(typeAndPlatform);
            if (!match.Success || !Types.Contains(match.Groups[1].Value))
            {
                throw OptionText.Invalid(ErrorIds.InvalidAnnotation, "Annotation", $"'{typeAndPlatform}' is not an annotation type with an optional [platform]. {Accepted}");
            }

            var prefix = "annotation-" + match.Groups[1].Value;
            if (match.Groups[2].Success)
            {
                OciPlatform platform;
                try
                {
                    platform = PlatformSpecifier.Normalize(PlatformSpecifier.Parse(match.Groups[2].Value));
                }
                catch (BuildxException ex)
                {
                    throw OptionText.Invalid(ErrorIds.InvalidAnnotation, "Annotation", $"'{match.Groups[2].Value}' is not a platform: {ex.Message}");
                }

                prefix += "[" + PlatformSpecifier.Format(platform) + "]";
            }

            result.Add(new AnnotationSpec(prefix + "." + name, value));
        }

        return result;
    }

    private static string CheckKey(string key)
    {
        key = key.Trim();
        if (key.Length == 0 || key.Any(char.IsWhiteSpace))
        {
            throw OptionText.Invalid(ErrorIds.InvalidAnnotation, "Annotation", $"'{key}' is not an annotation key (no spaces, not empty). {Accepted}");
        }

        return key;
    }

    [GeneratedRegex(@"^([a-z-]+)(?:\[([A-Za-z0-9_/-]+)\])?$")]
    private static partial Regex TypePattern();

    [GeneratedRegex(@"^[a-z-]+(?:\[[A-Za-z0-9_/-]+\])?(?:,[a-z-]+(?:\[[A-Za-z0-9_/-]+\])?)*$")]
    private static partial Regex TypeListPattern();
}
