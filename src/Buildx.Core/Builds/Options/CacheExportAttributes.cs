using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// Checks the attributes BuildKit's registry and local cache exporters parse (the daemon would
/// otherwise fail the build at its end, or silently skip the value): booleans as Go's
/// strconv.ParseBool reads them, the compression types and an integer level, and the rule that an
/// image-manifest cache needs OCI media types.
/// </summary>
internal static class CacheExportAttributes
{
    private static readonly string[] Booleans = ["oci-mediatypes", "image-manifest", "ignore-error", "force-compression"];

    private static readonly string[] Compressions = ["uncompressed", "gzip", "estargz", "zstd"];

    private static readonly HashSet<string> GoBooleans = new(StringComparer.Ordinal) { "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False" };

    public static void Validate(string type, IReadOnlyDictionary<string, string> attributes, string parameter)
    {
        foreach (var key in type == CacheSpec.Local ? [.. Booleans, "reset"] : Booleans)
        {
            // BuildKit reads an empty force-compression as true.
            if (attributes.TryGetValue(key, out var value) && !GoBooleans.Contains(value) && !(key == "force-compression" && value.Length == 0))
            {
                throw OptionText.Invalid(ErrorIds.InvalidCacheOption, parameter, $"type={type}: {key}='{value}' is not a boolean; give true or false.");
            }
        }

        if (attributes.TryGetValue("compression", out var compression) && !Compressions.Contains(compression, StringComparer.Ordinal))
        {
            throw OptionText.Invalid(ErrorIds.InvalidCacheOption, parameter, $"type={type}: compression '{compression}' is not known; the types are {string.Join(", ", Compressions)}.");
        }

        if (attributes.TryGetValue("compression-level", out var level) && !long.TryParse(level, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw OptionText.Invalid(ErrorIds.InvalidCacheOption, parameter, $"type={type}: compression-level '{level}' is not an integer; give 0-9 for gzip and estargz, 0-22 for zstd.");
        }

        if (IsTrue(attributes.GetValueOrDefault("image-manifest")) && IsFalse(attributes.GetValueOrDefault("oci-mediatypes")))
        {
            throw OptionText.Invalid(ErrorIds.InvalidCacheOption, parameter, $"type={type}: image-manifest=true needs OCI media types; leave out oci-mediatypes=false.");
        }
    }

    private static bool IsTrue(string? value) => value is "1" or "t" or "T" or "TRUE" or "true" or "True";

    private static bool IsFalse(string? value) => value is "0" or "f" or "F" or "FALSE" or "false" or "False";
}
