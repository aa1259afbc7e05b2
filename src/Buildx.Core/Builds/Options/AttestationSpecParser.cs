using Buildx.Core.Text;
using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// Reads <c>--attest</c>, <c>--provenance</c> and <c>--sbom</c> as buildx does and turns them into
/// <c>attest:&lt;type&gt;</c> frontend attributes. A disabled entry sends nothing.
/// </summary>
public static class AttestationSpecParser
{
    internal const string Accepted =
        "Give -Attest 'type=provenance,mode=max' or 'type=sbom,generator=image', -Provenance 'mode=min|max' or $true/$false, -Sbom $true/$false or 'generator=image'.";

    /// <summary>Canonicalizes a <c>--provenance</c>/<c>--sbom</c> value: a bool becomes <c>disabled=!b</c>, else <c>type=&lt;type&gt;,</c> is prefixed.</summary>
    public static string Canonicalize(string type, string value)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(value);
        value = value.Trim();
        if (bool.TryParse(value, out var enabled) || GoBool.TryParse(value, out enabled))
        {
            return $"type={type},disabled={(!enabled).ToString().ToLowerInvariant()}";
        }

        return $"type={type},{value}";
    }

    /// <summary>The types the attestation strings name, disabled ones included.</summary>
    public static IReadOnlySet<string> Types(IEnumerable<string> attestations)
    {
        ArgumentNullException.ThrowIfNull(attestations);
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in attestations)
        {
            foreach (var (rawKey, rawValue) in OptionText.CsvPairs(text, ErrorIds.InvalidAttestation, "Attest", Accepted))
            {
                if (OptionText.Key(rawKey) == "type")
                {
                    types.Add(OptionText.Format(rawValue).Trim());
                }
            }
        }

        return types;
    }

    /// <summary>Parses every attestation string into frontend attributes (only enabled ones).</summary>
    public static IReadOnlyDictionary<string, string> ToAttributes(IEnumerable<string> attestations)
    {
        ArgumentNullException.ThrowIfNull(attestations);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in attestations)
        {
            var pairs = OptionText.CsvPairs(text, ErrorIds.InvalidAttestation, "Attest", Accepted);
            string? type = null;
            var disabled = false;
            foreach (var (rawKey, rawValue) in pairs)
            {
                var key = OptionText.Key(rawKey);
                var value = OptionText.Format(rawValue);
                switch (key)
                {
                    case "type":
                        type = value.Trim();
                        break;
                    case "disabled":
                        if (!GoBool.TryParse(value, out disabled))
                        {
                            throw OptionText.Invalid(ErrorIds.InvalidAttestation, "Attest", $"disabled='{value}' is not a boolean (true or false).");
                        }

                        break;
                    case "mode" when value is not ("min" or "max"):
                        throw OptionText.Invalid(ErrorIds.InvalidAttestation, "Attest", $"provenance mode '{value}' is not known; the modes are min and max.");
                }
            }

            if (string.IsNullOrEmpty(type))
            {
                throw OptionText.Invalid(ErrorIds.InvalidAttestation, "Attest", $"'{text}' has no type. {Accepted}");
            }

            if (!seen.Add(type))
            {
                throw OptionText.Invalid(ErrorIds.InvalidAttestation, "Attest", $"the attestation type '{type}' is given twice (-Attest, -Provenance and -Sbom together may name each type once).");
            }

            if (!disabled)
            {
                result["attest:" + type] = text;
            }
        }

        return result;
    }
}
