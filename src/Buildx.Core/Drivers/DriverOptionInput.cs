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
            if (MapValuedKeys.Contains(key) && value is IDictionary keyValues)
            {
                // @{ nodeselector = @{ 'kubernetes.io/arch' = 'arm64' } } is nodeselector=kubernetes.io/arch=arm64.
                pairs.Add(new(key, FormatPairs(key, keyValues, unwrap)));
                continue;
            }

            if (string.Equals(key, TolerationsKey, StringComparison.OrdinalIgnoreCase) && value is not string && value is IEnumerable or IDictionary)
            {
                // @{ tolerations = @(@{ key = 'a'; operator = 'Exists' }, ...) } is buildx's 'key=a,operator=Exists;...'.
                pairs.Add(new(key, FormatTolerations(key, value, unwrap)));
                continue;
            }

            if (value is IDictionary nested)
            {
                // @{ env = @{ FOO = 'bar' } } is env.FOO=bar.
                AddDictionary(pairs, key + ".", nested, unwrap);
                continue;
            }

            pairs.Add(new(key, ToOptionString(key, value)));
        }
    }

    /// <summary>The kubernetes driver's options whose value is a list of key=value pairs.</summary>
    private static readonly HashSet<string> MapValuedKeys = new(Kubernetes.KubernetesDriverOptions.MapKeys, StringComparer.OrdinalIgnoreCase);

    private const string TolerationsKey = Kubernetes.KubernetesDriverOptions.TolerationsKey;

    /// <summary>A hashtable as buildx's <c>k=v,k2=v2</c> (sorted by key, so the stored text is stable).</summary>
    private static string FormatPairs(string key, IDictionary map, Func<object?, object?> unwrap)
    {
        var pairs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in map)
        {
            var name = Convert.ToString(unwrap(entry.Key), CultureInfo.InvariantCulture) ?? string.Empty;
            var text = ToOptionString(key, unwrap(entry.Value));
            if (name.Length == 0 || name.Contains(',', StringComparison.Ordinal) || name.Contains('=', StringComparison.Ordinal)
                || text.Contains(',', StringComparison.Ordinal) || text.Contains('=', StringComparison.Ordinal))
            {
                throw new BuildxException(
                    ErrorIds.InvalidDriverOption,
                    BuildxErrorKind.InvalidArgument,
                    $"The driver option '{key}' has the entry '{name}' = '{text}': keys must be non-empty and neither keys nor values may contain ',' or '=' (buildx stores them as k=v,k2=v2).",
                    key);
            }

            pairs[name] = text;
        }

        return string.Join(',', pairs.Select(pair => $"{pair.Key}={pair.Value}"));
    }

    /// <summary>Tolerations as hashtables (or buildx strings) joined into buildx's <c>;</c>-separated form.</summary>
    private static string FormatTolerations(string key, object? value, Func<object?, object?> unwrap)
    {
        IEnumerable items = value is IDictionary single ? new object[] { single } : (IEnumerable)value!;
        var entries = new List<string>();
        foreach (var raw in items)
        {
            switch (unwrap(raw))
            {
                case string text:
                    entries.Add(text);
                    break;
                case IDictionary toleration:
                    var fields = new List<string>();
                    foreach (DictionaryEntry field in toleration)
                    {
                        fields.Add($"{Convert.ToString(unwrap(field.Key), CultureInfo.InvariantCulture)}={ToOptionString(key, unwrap(field.Value))}");
                    }

                    entries.Add(string.Join(',', fields.Order(StringComparer.Ordinal)));
                    break;
                default:
                    throw new BuildxException(
                        ErrorIds.InvalidDriverOption,
                        BuildxErrorKind.InvalidArgument,
                        $"The driver option '{key}' takes hashtables such as @{{ key = 'dedicated'; operator = 'Equal'; value = 'build'; effect = 'NoSchedule' }} (or buildx's 'key=dedicated,value=build'), not {raw?.GetType().Name ?? "null"}.",
                        key);
            }
        }

        return string.Join(';', entries);
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
