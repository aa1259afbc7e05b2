using System.Collections;
using System.Globalization;
using Buildx.Core.Errors;
using Buildx.Core.Text;

namespace Buildx.Core.Drivers;

/// <summary>
/// Driver options as users give them, turned into the string pairs buildx stores: buildx's CSV
/// lines (<c>'image=x,memory=1g'</c>, <c>'env.FOO=bar'</c>) or dictionaries whose values may be
/// typed (<c>@{ memory = 1GB; default-load = $true; env = @{ FOO = 'bar' } }</c>).
/// </summary>
public static class DriverOptionInput
{
    /// <summary>
    /// Every option from <paramref name="values"/>, in order (a later one replaces an earlier one
    /// with the same key when they are normalized).
    /// </summary>
    /// <param name="values">CSV strings and dictionaries, in any mix.</param>
    /// <param name="unwrap">Unwraps host wrappers (PowerShell's PSObject) around values.</param>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(IEnumerable<object?> values, Func<object?, object?>? unwrap = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        unwrap ??= value => value;
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var raw in values)
        {
            switch (unwrap(raw))
            {
                case null:
                    break;
                case string line:
                    pairs.AddRange(ParseCsv(line));
                    break;
                case IDictionary map:
                    AddDictionary(pairs, string.Empty, map, unwrap);
                    break;
                case var other:
                    throw new BuildxException(
                        ErrorIds.InvalidDriverOption,
                        BuildxErrorKind.InvalidArgument,
                        $"A driver option of type {other.GetType().Name} is not accepted. Give a hashtable such as @{{ image = 'moby/buildkit:latest'; memory = '1g' }} or buildx's CSV form such as 'image=moby/buildkit:latest,memory=1g'.",
                        other);
            }
        }

        return pairs;
    }

    /// <summary>One buildx <c>--driver-opt</c> value: CSV fields, each <c>key=value</c>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseCsv(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        IReadOnlyList<string> fields;
        try
        {
            fields = CsvFields.Split(line);
        }
        catch (FormatException ex)
        {
            throw new BuildxException(ErrorIds.InvalidDriverOption, BuildxErrorKind.InvalidArgument, $"The driver options '{line}' are not valid CSV: {ex.Message}", line, ex);
        }

        var pairs = new List<KeyValuePair<string, string>>(fields.Count);
        foreach (var field in fields)
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw new BuildxException(
                    ErrorIds.InvalidDriverOption,
                    BuildxErrorKind.InvalidArgument,
                    $"invalid value \"{field}\", expecting k=v (driver options are key=value pairs, such as 'image=moby/buildkit:latest,memory=1g')",
                    field);
            }

            pairs.Add(new(field[..equals], field[(equals + 1)..]));
        }

        return pairs;
    }

    private static void AddDictionary(List<KeyValuePair<string, string>> pairs, string prefix, IDictionary map, Func<object?, object?> unwrap)
    {
        foreach (DictionaryEntry entry in map)
        {
            var key = prefix + Convert.ToString(unwrap(entry.Key), CultureInfo.InvariantCulture);
            var value = unwrap(entry.Value);
            if (value is IDictionary nested)
            {
                // @{ env = @{ FOO = 'bar' } } is env.FOO=bar.
                AddDictionary(pairs, key + ".", nested, unwrap);
                continue;
            }

            pairs.Add(new(key, ToOptionString(key, value)));
        }
    }

    /// <summary>Typed values become the strings buildx parses: booleans as true/false, numbers invariant.</summary>
    private static string ToOptionString(string key, object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        Enum named => named.ToString(),
        IEnumerable => throw new BuildxException(
            ErrorIds.InvalidDriverOption,
            BuildxErrorKind.InvalidArgument,
            $"The driver option '{key}' has a list as its value; each option takes one value.",
            key),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
