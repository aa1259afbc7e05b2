using System.Text;
using System.Text.RegularExpressions;

namespace Buildx.Core.Session.FileSync;

/// <summary>
/// One Docker ignore pattern, compiled the way moby/patternmatcher compiles it: a literal path, a literal prefix
/// (<c>dir/**</c>), a literal suffix (<c>**/name</c>) or a regular expression in which <c>*</c> and <c>?</c> stay
/// inside one path element and <c>**</c> spans any number of them.
/// </summary>
public sealed class DockerIgnorePattern
{
    private readonly MatchKind kind;
    private readonly string literal;
    private readonly Lazy<Regex>? regex;

    internal DockerIgnorePattern(string cleanedPattern, bool isException)
    {
        Text = cleanedPattern;
        IsException = isException;
        (kind, literal, regex) = Compile(cleanedPattern);
    }

    private enum MatchKind
    {
        Exact,
        Prefix,
        Suffix,
        Expression,
    }

    /// <summary>The cleaned pattern without its <c>!</c>.</summary>
    public string Text { get; }

    /// <summary>A <c>!</c> pattern: it re-includes what earlier patterns matched.</summary>
    public bool IsException { get; }

    /// <summary>Whether the slash-separated relative path itself matches (its parents are not considered).</summary>
    /// <exception cref="FormatException">
    /// The pattern is not a valid regular expression for Go, such as <c>\é</c>. As in Docker this is found when the
    /// pattern is first used, so a pattern that is never reached does no harm.
    /// </exception>
    public bool Matches(string path) => kind switch
    {
        MatchKind.Exact => string.Equals(path, literal, StringComparison.Ordinal),
        MatchKind.Prefix => path.StartsWith(literal, StringComparison.Ordinal),
        // "**/foo" also matches "foo" at the top.
        MatchKind.Suffix => path.EndsWith(literal, StringComparison.Ordinal)
            || (literal.Length > 0 && literal[0] == '/' && path.AsSpan().SequenceEqual(literal.AsSpan(1))),
        _ => regex!.Value.IsMatch(path),
    };

    public override string ToString() => IsException ? "!" + Text : Text;

    private static Regex CompileRegex(string pattern, string goExpression)
    {
        try
        {
            return new Regex(GoRegexTranslator.ToDotNet(goExpression), RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new FormatException($"syntax error in pattern {pattern}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Builds the same Go regular expression as patternmatcher (and the same match kind), then has it translated
    /// for .NET. Characters in a pattern that are special to RE2, such as a class or an escape, keep their RE2
    /// meaning, as in Docker.
    /// </summary>
    private static (MatchKind Kind, string Literal, Lazy<Regex>? Regex) Compile(string pattern)
    {
        var goRegex = new StringBuilder("^");
        var kind = MatchKind.Exact;
        var position = 0;
        for (var step = 0; position < pattern.Length; step++)
        {
            var ch = pattern[position++];
            if (ch == '*')
            {
                if (position < pattern.Length && pattern[position] == '*')
                {
                    position++;
                    // "**/" is the same as "**".
                    if (position < pattern.Length && pattern[position] == '/')
                    {
                        position++;
                    }

                    if (position == pattern.Length)
                    {
                        // A trailing "**" accepts everything, as in .gitignore.
                        if (kind == MatchKind.Exact)
                        {
                            kind = MatchKind.Prefix;
                        }
                        else
                        {
                            goRegex.Append(".*");
                            kind = MatchKind.Expression;
                        }
                    }
                    else
                    {
                        // Zero or more whole path elements.
                        goRegex.Append("(.*/)?");
                        kind = MatchKind.Expression;
                    }

                    if (step == 0)
                    {
                        kind = MatchKind.Suffix;
                    }
                }
                else
                {
                    goRegex.Append("[^/]*");
                    kind = MatchKind.Expression;
                }
            }
            else if (ch == '?')
            {
                goRegex.Append("[^/]");
                kind = MatchKind.Expression;
            }
            else if (ch is '.' or '+' or '(' or ')' or '|' or '{' or '}' or '$')
            {
                goRegex.Append('\\').Append(ch);
            }
            else if (ch == '\\')
            {
                if (position < pattern.Length)
                {
                    // The escaped character goes to RE2 with its backslash: "\*" is a star, "\t" a tab.
                    var length = char.IsHighSurrogate(pattern[position]) && position + 1 < pattern.Length ? 2 : 1;
                    goRegex.Append('\\').Append(pattern, position, length);
                    position += length;
                    kind = MatchKind.Expression;
                }
                else
                {
                    goRegex.Append('\\');
                }
            }
            else if (ch is '[' or ']')
            {
                goRegex.Append(ch);
                kind = MatchKind.Expression;
            }
            else
            {
                goRegex.Append(ch);
            }
        }

        switch (kind)
        {
            case MatchKind.Exact:
                return (kind, pattern, null);
            case MatchKind.Prefix:
                return (kind, pattern[..^2], null);
            case MatchKind.Suffix:
                return (kind, pattern[2..], null);
            default:
                goRegex.Append('$');
                var goExpression = goRegex.ToString();
                return (kind, pattern, new Lazy<Regex>(() => CompileRegex(pattern, goExpression)));
        }
    }
}
