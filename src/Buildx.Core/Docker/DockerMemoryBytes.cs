using System.Buffers;
using System.Globalization;

namespace Buildx.Core.Docker;

/// <summary>
/// docker's memory sizes (<c>opts.MemBytes</c>, from go-units <c>RAMInBytes</c>): a number, an
/// optional space, and an optional binary unit: <c>b</c>, <c>k</c>/<c>kb</c>/<c>kib</c>, <c>m</c>,
/// <c>g</c>, <c>t</c>, <c>p</c>, any case. <c>1g</c> is 1024³ bytes; <c>1.5g</c> is allowed.
/// </summary>
public static class DockerMemoryBytes
{
    public const string AcceptedForms = "a number of bytes with an optional unit b, k, m, g, t or p (binary: 1k = 1024), such as 512m or 1.5g";

    private static readonly SearchValues<char> NumberCharacters = SearchValues.Create("0123456789. ");

    private static readonly Dictionary<char, long> Multipliers = new()
    {
        ['k'] = 1L << 10,
        ['m'] = 1L << 20,
        ['g'] = 1L << 30,
        ['t'] = 1L << 40,
        ['p'] = 1L << 50,
    };

    /// <exception cref="FormatException">Not a size; the message says why.</exception>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // Like go-units: the number ends at the last digit, dot or space; the rest is the unit.
        var end = text.AsSpan().LastIndexOfAny(NumberCharacters);
        if (end < 0)
        {
            throw new FormatException("a size needs at least one digit");
        }

        var number = text[end] == ' ' ? text[..end] : text[..(end + 1)];
        var suffix = text[(end + 1)..].ToLowerInvariant();
        if (!double.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var size)
            || double.IsInfinity(size))
        {
            throw new FormatException($"'{number}' is not a number");
        }

        if (size < 0)
        {
            throw new FormatException("a size cannot be negative");
        }

        if (suffix.Length > 0)
        {
            size *= SuffixMultiplier(suffix);
        }

        if (size >= long.MaxValue)
        {
            throw new FormatException("the size is too large");
        }

        return (long)size;
    }

    /// <summary>Like <see cref="Parse"/>, plus <c>-1</c> for unlimited swap (<c>opts.MemSwapBytes</c>).</summary>
    public static long ParseSwap(string text) => text == "-1" ? -1 : Parse(text);

    private static long SuffixMultiplier(string suffix)
    {
        if (suffix.Length > 3)
        {
            throw new FormatException($"invalid unit '{suffix}'");
        }

        if (suffix[0] == 'b')
        {
            return suffix.Length == 1 ? 1 : throw new FormatException($"invalid unit '{suffix}'");
        }

        if (!Multipliers.TryGetValue(suffix[0], out var multiplier)
            || (suffix.Length == 2 && suffix[1] != 'b')
            || (suffix.Length == 3 && suffix[1..] != "ib"))
        {
            throw new FormatException($"invalid unit '{suffix}'");
        }

        return multiplier;
    }
}
