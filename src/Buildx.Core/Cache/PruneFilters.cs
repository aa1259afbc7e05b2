using Buildx.Core.Errors;

namespace Buildx.Core.Cache;

/// <summary>
/// buildx's <c>toBuildkitPruneInfo</c>: <c>until</c> (or the older <c>unused-for</c>) becomes the
/// keep duration; <c>id=v</c> becomes <c>id~=v</c>; keys ending in <c>!</c> or <c>~</c> keep their
/// <c>=</c>; others become <c>k==v</c>; all joined by commas into BuildKit's one filter string.
/// A filter already in BuildKit's form (<c>type==regular</c>) is passed on as it is.
/// </summary>
public static class PruneFilters
{
    public static (string? Filter, TimeSpan? KeepDuration) Translate(IEnumerable<string> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var parts = new List<string>();
        TimeSpan? until = null;
        string? untilKey = null;
        foreach (var filter in filters)
        {
            var equals = filter.IndexOf('=', StringComparison.Ordinal);
            if (filter.Contains("==", StringComparison.Ordinal) || equals < 0)
            {
                parts.Add(filter);
                continue;
            }

            var key = filter[..equals];
            var value = filter[(equals + 1)..];
            if (key is "until" or "unused-for")
            {
                if (untilKey is not null)
                {
                    throw Invalid(untilKey == key ? "filters expect only one value" : "conflicting filters \"until\" and \"unused-for\"", filter);
                }

                untilKey = key;
                until = ParseGoDuration(value) ?? throw Invalid($"\"{key}\" filter expects a duration (e.g., '24h'), not '{value}'", filter);
                continue;
            }

            parts.Add(key == "id" ? $"id~={value}" : key.EndsWith('!') || key.EndsWith('~') ? $"{key}={value}" : $"{key}=={value}");
        }

        return (parts.Count == 0 ? null : string.Join(',', parts), until);
    }

    /// <summary>Go's <c>time.ParseDuration</c> for the units a keep duration uses: <c>h</c>, <c>m</c>, <c>s</c>, <c>ms</c>.</summary>
    public static TimeSpan? ParseGoDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var total = TimeSpan.Zero;
        var i = 0;
        if (text.Length == 0)
        {
            return null;
        }

        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(text[start..i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var amount))
            {
                return null;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            TimeSpan? part = text[unitStart..i] switch
            {
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "ms" => TimeSpan.FromMilliseconds(amount),
                _ => null,
            };
            if (part is null)
            {
                return null;
            }

            total += part.Value;
        }

        return total;
    }

    private static BuildxException Invalid(string message, string filter) =>
        new(ErrorIds.InvalidPruneFilter, BuildxErrorKind.InvalidArgument, message, filter);
}
