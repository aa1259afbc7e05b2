using System.Globalization;
using Buildx.Core.Errors;
using Buildx.Core.Exports;

namespace Buildx.Core.Builds.Options;

/// <summary>Shared helpers for reading build options from CSV text and from key/value maps.</summary>
internal static class OptionText
{
    /// <summary>Splits one buildx CSV value into lower-cased keys and verbatim values.</summary>
    public static List<KeyValuePair<string, object?>> CsvPairs(string text, string errorId, string parameter, string accepted)
    {
        List<string> fields;
        try
        {
            fields = ExportSpecParser.SplitCsv(text);
        }
        catch (BuildxException)
        {
            throw new BuildxException(errorId, BuildxErrorKind.InvalidArgument,
                $"-{parameter} '{text}' has an unterminated quote. {accepted}", parameter);
        }

        var pairs = new List<KeyValuePair<string, object?>>();
        foreach (var field in fields.Where(f => f.Length > 0))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new BuildxException(errorId, BuildxErrorKind.InvalidArgument,
                    $"-{parameter}: '{field}' is not key=value. {accepted}", parameter);
            }

            pairs.Add(new(field[..equals], field[(equals + 1)..]));
        }

        return pairs;
    }

    public static string Key(string key) => key.Trim().ToLowerInvariant();

    public static string Format(object? value) => value switch
    {
        null => string.Empty,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    public static BuildxException Invalid(string errorId, string parameter, string message) =>
        new(errorId, BuildxErrorKind.InvalidArgument, $"-{parameter}: {message}", parameter);
}
