using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// Reads <c>--cache-from</c>/<c>--cache-to</c> values as buildx does: CSV with a <c>type</c>, keys
/// lower-cased, or a bare reference meaning <c>type=registry,ref=...</c>; and maps such as
/// <c>@{ type='local'; dest='./cache' }</c>. Checks the attributes each known backend needs.
/// </summary>
public static class CacheSpecParser
{
    internal const string Accepted =
        "Give a CSV string such as 'type=registry,ref=host/repo:cache', 'type=local,dest=./cache', 'type=inline' or a bare image reference, or a hashtable such as @{ type='local'; src='./cache' }.";

    public static CacheSpec ParseCsv(string text, bool export)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parameter = ParameterName(export);
        var trimmed = text.Trim();
        if (trimmed.Length > 0 && !trimmed.Contains('=', StringComparison.Ordinal) && !trimmed.Contains(',', StringComparison.Ordinal))
        {
            // buildx's shorthand: a bare value is a registry reference.
            return FromPairs([new("type", CacheSpec.Registry), new("ref", trimmed)], export);
        }

        return FromPairs(OptionText.CsvPairs(text, ErrorIds.InvalidCacheOption, parameter, Accepted), export);
    }

    public static CacheSpec FromPairs(IEnumerable<KeyValuePair<string, object?>> pairs, bool export)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var parameter = ParameterName(export);
        string? type = null;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (rawKey, rawValue) in pairs)
        {
            var key = OptionText.Key(rawKey);
            if (key == "type")
            {
                type = OptionText.Format(rawValue).Trim().ToLowerInvariant();
            }
            else if (key.Length > 0)
            {
                attributes[key] = OptionText.Format(rawValue);
            }
        }

        if (string.IsNullOrEmpty(type))
        {
            throw OptionText.Invalid(ErrorIds.InvalidCacheOption, parameter, $"a cache entry needs a type (registry, local, inline, gha, s3, azblob). {Accepted}");
        }

        var required = (type, export) switch
        {
            (CacheSpec.Registry, _) => "ref",
            (CacheSpec.Local, true) => "dest",
            (CacheSpec.Local, false) => "src",
            _ => null,
        };
        if (required is not null && string.IsNullOrWhiteSpace(attributes.GetValueOrDefault(required)))
        {
            throw OptionText.Invalid(ErrorIds.InvalidCacheOption, parameter, $"type={type} needs {required}=. {Accepted}");
        }

        if (type == CacheSpec.Inline && !export)
        {
            throw OptionText.Invalid(ErrorIds.InvalidCacheOption, parameter,
                "type=inline is only a cache export; import inline cache with the image's reference: 'type=registry,ref=host/repo:tag'.");
        }

        if (export && attributes.TryGetValue("mode", out var mode) && mode is not ("min" or "max"))
        {
            throw OptionText.Invalid(ErrorIds.InvalidCacheOption, parameter, $"mode '{mode}' is not known; the modes are min and max.");
        }

        if (export && type is CacheSpec.Registry or CacheSpec.Local)
        {
            CacheExportAttributes.Validate(type, attributes, parameter);
        }

        return new CacheSpec(type, attributes);
    }

    private static string ParameterName(bool export) => export ? "CacheTo" : "CacheFrom";
}
