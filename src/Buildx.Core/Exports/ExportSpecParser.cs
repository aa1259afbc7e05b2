using System.Globalization;
using System.Text;
using Buildx.Core.Errors;

namespace Buildx.Core.Exports;

/// <summary>
/// Reads output specs in buildx's CSV form (<c>type=local,dest=out</c>, the shorthands
/// <c>out</c> and <c>-</c>) and as key/value maps (PowerShell hashtables).
/// </summary>
public static class ExportSpecParser
{
    public static ExportSpec ParseCsv(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = SplitCsv(text).Where(f => f.Length > 0).ToList();
        if (fields.Count == 1 && !fields[0].StartsWith("type=", StringComparison.OrdinalIgnoreCase) && !fields[0].Contains('=', StringComparison.Ordinal))
        {
            // buildx's shorthands: "-" is a tarball on stdout, anything else a local directory.
            return fields[0] == ExportSpec.StandardOutput
                ? new ExportSpec(ExportSpec.Tar, ExportSpec.StandardOutput, new Dictionary<string, string>())
                : new ExportSpec(ExportSpec.Local, fields[0], new Dictionary<string, string>());
        }

        var pairs = new List<KeyValuePair<string, object?>>();
        foreach (var field in fields)
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw Invalid($"'{field}' in '{text}' is not key=value", text);
            }

            pairs.Add(new(field[..equals], field[(equals + 1)..]));
        }

        return FromPairs(pairs, text);
    }

    /// <summary>Builds a spec from a map such as <c>@{ type='local'; dest='out' }</c>.</summary>
    public static ExportSpec FromPairs(IEnumerable<KeyValuePair<string, object?>> pairs, string? original = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        string? type = null;
        string? destination = null;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (rawKey, rawValue) in pairs)
        {
            var key = rawKey.Trim().ToLowerInvariant();
            var value = FormatValue(rawValue);
            switch (key)
            {
                case "type":
                    type = value.Trim().ToLowerInvariant();
                    break;
                case "dest":
                    destination = value;
                    break;
                default:
                    attributes[key] = value;
                    break;
            }
        }

        if (string.IsNullOrEmpty(type))
        {
            throw Invalid($"the output '{original ?? Describe(attributes, destination)}' has no type", original);
        }

        if (!ExportSpec.KnownTypes.Contains(type))
        {
            throw Invalid($"the output type '{type}' is not known", original);
        }

        return new ExportSpec(type, destination, attributes);
    }

    private static string FormatValue(object? value) => value switch
    {
        null => string.Empty,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>One CSV record: commas separate fields, double quotes protect commas, "" is a quote.</summary>
    internal static List<string> SplitCsv(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw Invalid($"'{text}' has an unterminated quote", text);
        }

        fields.Add(field.ToString().Trim());
        return fields;
    }

    private static string Describe(IReadOnlyDictionary<string, string> attributes, string? destination) =>
        string.Join(',', attributes.Select(a => $"{a.Key}={a.Value}").Concat(destination is null ? [] : [$"dest={destination}"]));

    private static BuildxException Invalid(string why, string? target) => new(
        ErrorIds.InvalidOutput,
        BuildxErrorKind.InvalidArgument,
        $"Invalid output: {why}. Give a hashtable such as @{{ type='local'; dest='out' }} or a CSV string such as 'type=tar,dest=out.tar'; types: {string.Join(", ", ExportSpec.KnownTypes)}.",
        target);
}
