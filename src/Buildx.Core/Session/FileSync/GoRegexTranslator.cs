using System.Globalization;
using System.Text;

namespace Buildx.Core.Session.FileSync;

/// <summary>
/// Translates the regular expressions that moby/patternmatcher builds from ignore patterns (Go RE2 syntax) into
/// .NET ones that behave the same. Go matches runes and .NET matches UTF-16 units, so every construct that
/// matches one character is rewritten to consume a whole surrogate pair; character classes are evaluated as
/// Go evaluates them (a pattern's <c>[...]</c> goes to RE2 as is, with its quirks).
/// Only the subset patternmatcher can produce is supported: literals, escapes, classes, <c>.</c>, groups,
/// <c>* ? +</c>, anchors. Unsupported or invalid syntax throws <see cref="FormatException"/>, as Go's compile fails.
/// </summary>
internal static class GoRegexTranslator
{
    private const int MaxRune = 0x10FFFF;

    private static readonly (int Low, int High)[] Digits = [('0', '9')];
    private static readonly (int Low, int High)[] Spaces = [('\t', '\n'), ('\f', '\r'), (' ', ' ')];
    private static readonly (int Low, int High)[] WordCharacters = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];

    private static readonly Dictionary<string, (int Low, int High)[]> PosixClasses = new(StringComparer.Ordinal)
    {
        ["alnum"] = [('0', '9'), ('A', 'Z'), ('a', 'z')],
        ["alpha"] = [('A', 'Z'), ('a', 'z')],
        ["ascii"] = [(0, 0x7F)],
        ["blank"] = [('\t', '\t'), (' ', ' ')],
        ["cntrl"] = [(0, 0x1F), (0x7F, 0x7F)],
        ["digit"] = [('0', '9')],
        ["graph"] = [('!', '~')],
        ["lower"] = [('a', 'z')],
        ["print"] = [(' ', '~')],
        ["punct"] = [('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        ["space"] = [('\t', '\r'), (' ', ' ')],
        ["upper"] = [('A', 'Z')],
        ["word"] = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        ["xdigit"] = [('0', '9'), ('A', 'F'), ('a', 'f')],
    };

    public static string ToDotNet(string goRegex)
    {
        var output = new StringBuilder(goRegex.Length * 2);
        var position = 0;
        while (position < goRegex.Length)
        {
            var ch = goRegex[position];
            switch (ch)
            {
                case '[':
                    position++;
                    AppendRuneSet(output, ParseClass(goRegex, ref position));
                    break;
                case '.':
                    // Any rune but a newline.
                    AppendRuneSet(output, Complement([('\n', '\n')]));
                    position++;
                    break;
                case '$':
                    // Without the multi-line flag Go's "$" is only the end of the text.
                    output.Append(@"\z");
                    position++;
                    break;
                case '^' or '(' or ')' or '|' or '*' or '+' or '?':
                    output.Append(ch);
                    position++;
                    break;
                case '{' or '}':
                    // patternmatcher escapes braces; a repetition count is not part of its subset.
                    throw Unsupported(goRegex);
                case '\\':
                    position++;
                    AppendEscape(output, goRegex, ref position);
                    break;
                default:
                    var length = char.IsHighSurrogate(ch) && position + 1 < goRegex.Length && char.IsLowSurrogate(goRegex[position + 1]) ? 2 : 1;
                    AppendLiteral(output, goRegex.AsSpan(position, length));
                    position += length;
                    break;
            }
        }

        return output.ToString();
    }

    private static void AppendEscape(StringBuilder output, string regex, ref int position)
    {
        if (position >= regex.Length)
        {
            throw new FormatException("trailing backslash at end of expression");
        }

        var ch = regex[position];
        switch (ch)
        {
            case 'A':
                output.Append(@"\A");
                position++;
                return;
            case 'z':
                output.Append(@"\z");
                position++;
                return;
            case 'b':
                // Go's word boundary is ASCII-only; .NET's would count letters such as "é".
                output.Append("(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))");
                position++;
                return;
            case 'B':
                output.Append("(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))");
                position++;
                return;
            case 'd' or 'D' or 's' or 'S' or 'w' or 'W':
                AppendRuneSet(output, PerlClass(ch));
                position++;
                return;
            case 'Q':
            {
                // Literal text up to \E or the end.
                var end = regex.IndexOf(@"\E", position + 1, StringComparison.Ordinal);
                var literal = end < 0 ? regex[(position + 1)..] : regex[(position + 1)..end];
                AppendLiteral(output, literal);
                position = end < 0 ? regex.Length : end + 2;
                return;
            }

            default:
                AppendLiteral(output, char.ConvertFromUtf32(ParseEscapedRune(regex, ref position)));
                return;
        }
    }

    /// <summary>Go's parseEscape for a single rune: punctuation stands for itself, plus the control escapes.</summary>
    private static int ParseEscapedRune(string regex, ref int position)
    {
        var ch = regex[position];
        if (ch < 0x80 && !char.IsAsciiLetterOrDigit(ch))
        {
            position++;
            return ch;
        }

        int? rune = ch switch
        {
            'a' => '\a',
            'f' => '\f',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\v',
            _ => null,
        };
        if (rune is null)
        {
            // Octal, hex and Unicode escapes are valid RE2 but never meant in an ignore pattern; letters and
            // non-ASCII characters are invalid escapes in Go, which fails the pattern.
            throw new FormatException($"invalid escape sequence: \\{ch}");
        }

        position++;
        return rune.Value;
    }

    /// <summary>Parses a class after its "[" up to and including its "]", as Go's parseClass does (Perl flags).</summary>
    private static List<(int Low, int High)> ParseClass(string regex, ref int position)
    {
        var negated = false;
        if (position < regex.Length && regex[position] == '^')
        {
            negated = true;
            position++;
        }

        var ranges = new List<(int Low, int High)>();
        // "]" and "-" are literal as the first character of a class.
        var first = true;
        while (true)
        {
            if (position >= regex.Length)
            {
                throw new FormatException("missing closing ]");
            }

            if (regex[position] == ']' && !first)
            {
                position++;
                break;
            }

            first = false;
            if (regex[position] == '[' && position + 1 < regex.Length && regex[position + 1] == ':')
            {
                var end = regex.IndexOf(":]", position + 2, StringComparison.Ordinal);
                if (end >= 0)
                {
                    var name = regex[(position + 2)..end];
                    var negatedName = name.StartsWith('^');
                    if (PosixClasses.TryGetValue(negatedName ? name[1..] : name, out var posix))
                    {
                        ranges.AddRange(negatedName ? Complement(posix) : posix);
                        position = end + 2;
                        continue;
                    }

                    throw new FormatException($"invalid character class range: [:{name}:]");
                }
            }

            if (regex[position] == '\\' && position + 1 < regex.Length && regex[position + 1] is 'd' or 'D' or 's' or 'S' or 'w' or 'W')
            {
                ranges.AddRange(PerlClass(regex[position + 1]));
                position += 2;
                continue;
            }

            var low = ParseClassRune(regex, ref position);
            var high = low;
            if (position + 1 < regex.Length && regex[position] == '-' && regex[position + 1] != ']')
            {
                position++;
                high = ParseClassRune(regex, ref position);
                if (high < low)
                {
                    throw new FormatException("invalid character class range");
                }
            }

            ranges.Add((low, high));
        }

        return negated ? [.. Complement(ranges)] : ranges;
    }

    private static int ParseClassRune(string regex, ref int position)
    {
        if (position >= regex.Length)
        {
            throw new FormatException("missing closing ]");
        }

        if (regex[position] == '\\')
        {
            position++;
            if (position >= regex.Length)
            {
                throw new FormatException("trailing backslash at end of expression");
            }

            return ParseEscapedRune(regex, ref position);
        }

        var rune = char.ConvertToUtf32(regex, position);
        position += rune > 0xFFFF ? 2 : 1;
        return rune;
    }

    private static (int Low, int High)[] PerlClass(char name) => name switch
    {
        'd' => Digits,
        'D' => Complement(Digits),
        's' => Spaces,
        'S' => Complement(Spaces),
        'w' => WordCharacters,
        _ => Complement(WordCharacters),
    };

    /// <summary>All runes not in the ranges (surrogate code points are not runes).</summary>
    private static (int Low, int High)[] Complement(IEnumerable<(int Low, int High)> ranges)
    {
        var result = new List<(int Low, int High)>();
        var next = 0;
        foreach (var (low, high) in Normalize(ranges))
        {
            if (low > next)
            {
                result.Add((next, low - 1));
            }

            next = Math.Max(next, high + 1);
        }

        if (next <= MaxRune)
        {
            result.Add((next, MaxRune));
        }

        return [.. result];
    }

    private static List<(int Low, int High)> Normalize(IEnumerable<(int Low, int High)> ranges)
    {
        var merged = new List<(int Low, int High)>();
        foreach (var (low, high) in ranges.OrderBy(r => r.Low))
        {
            if (merged.Count > 0 && low <= merged[^1].High + 1)
            {
                merged[^1] = (merged[^1].Low, Math.Max(merged[^1].High, high));
            }
            else
            {
                merged.Add((low, high));
            }
        }

        return merged;
    }

    /// <summary>A .NET construct matching exactly one rune from the set: a class for the BMP, surrogate pairs above.</summary>
    private static void AppendRuneSet(StringBuilder output, IEnumerable<(int Low, int High)> ranges)
    {
        var bmp = new StringBuilder();
        var alternatives = new List<string>();
        foreach (var (low, high) in Normalize(ranges))
        {
            foreach (var (bmpLow, bmpHigh) in Intersect(low, high, 0, 0xD7FF).Concat(Intersect(low, high, 0xE000, 0xFFFF)))
            {
                bmp.Append(Unit(bmpLow));
                if (bmpHigh > bmpLow)
                {
                    bmp.Append('-').Append(Unit(bmpHigh));
                }
            }

            foreach (var (supplementaryLow, supplementaryHigh) in Intersect(low, high, 0x10000, MaxRune))
            {
                alternatives.AddRange(SurrogateAlternatives(supplementaryLow, supplementaryHigh));
            }
        }

        if (bmp.Length > 0)
        {
            alternatives.Insert(0, "[" + bmp + "]");
        }

        output.Append(alternatives.Count == 0 ? "(?!)" : "(?:" + string.Join('|', alternatives) + ")");
    }

    private static IEnumerable<(int Low, int High)> Intersect(int low, int high, int boundLow, int boundHigh)
    {
        var from = Math.Max(low, boundLow);
        var to = Math.Min(high, boundHigh);
        if (from <= to)
        {
            yield return (from, to);
        }
    }

    /// <summary>UTF-16 patterns for the supplementary runes low..high.</summary>
    private static IEnumerable<string> SurrogateAlternatives(int low, int high)
    {
        var (lowHigh, lowLow) = Split(low);
        var (highHigh, highLow) = Split(high);
        if (lowHigh == highHigh)
        {
            yield return $"{Unit(lowHigh)}[{Unit(lowLow)}-{Unit(highLow)}]";
            yield break;
        }

        yield return $"{Unit(lowHigh)}[{Unit(lowLow)}-\\uDFFF]";
        if (highHigh - lowHigh > 1)
        {
            yield return $"[{Unit(lowHigh + 1)}-{Unit(highHigh - 1)}][\\uDC00-\\uDFFF]";
        }

        yield return $"{Unit(highHigh)}[\\uDC00-{Unit(highLow)}]";
    }

    private static (int High, int Low) Split(int rune)
    {
        var text = char.ConvertFromUtf32(rune);
        return (text[0], text[1]);
    }

    private static void AppendLiteral(StringBuilder output, ReadOnlySpan<char> text)
    {
        foreach (var unit in text)
        {
            output.Append(Unit(unit));
        }
    }

    private static string Unit(int unit) => "\\u" + unit.ToString("X4", CultureInfo.InvariantCulture);

    private static FormatException Unsupported(string regex) => new($"unsupported expression {regex}");
}
