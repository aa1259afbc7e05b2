namespace Buildx.Core.Session.FileSync;

/// <summary>
/// Go's <c>filepath.Match</c> with Unix rules: <c>*</c> and <c>?</c> never cross <c>/</c>, <c>[...]</c> classes
/// with <c>^</c> negation and ranges, <c>\</c> escapes. Docker validates ignore patterns with it and the Go
/// client matches wildcard followpaths with it, so the syntax errors and matches must be the same.
/// </summary>
internal static class GoGlob
{
    /// <summary>Whether <paramref name="name"/> matches all of <paramref name="pattern"/>.</summary>
    /// <exception cref="FormatException">The pattern is malformed (even when the name does not match).</exception>
    public static bool Match(string pattern, string name)
    {
        ReadOnlySpan<char> remaining = pattern;
        ReadOnlySpan<char> text = name;
        while (remaining.Length > 0)
        {
            ScanChunk(remaining, out var star, out var chunk, out remaining);
            if (star && chunk.IsEmpty)
            {
                // A trailing star matches whatever is left of this path element.
                return !text.Contains('/');
            }

            if (MatchChunk(chunk, text, out var rest) && (rest.IsEmpty || remaining.Length > 0))
            {
                text = rest;
                continue;
            }

            var matchedAfterStar = false;
            if (star)
            {
                // The star eats characters up to the next separator, trying the chunk after each one.
                for (var i = 0; i < text.Length && text[i] != '/'; i++)
                {
                    if (MatchChunk(chunk, text[(i + 1)..], out rest))
                    {
                        if (remaining.Length == 0 && rest.Length > 0)
                        {
                            continue;
                        }

                        text = rest;
                        matchedAfterStar = true;
                        break;
                    }
                }
            }

            if (matchedAfterStar)
            {
                continue;
            }

            // Go reports a malformed remainder even on a mismatch.
            while (remaining.Length > 0)
            {
                ScanChunk(remaining, out _, out chunk, out remaining);
                MatchChunk(chunk, ReadOnlySpan<char>.Empty, out _);
            }

            return false;
        }

        return text.IsEmpty;
    }

    /// <summary>Throws <see cref="FormatException"/> if Go's filepath.Match would reject the pattern.</summary>
    public static void Validate(string pattern) => Match(pattern, ".");

    /// <summary>Whether a path element has glob characters (the followpaths resolver's test).</summary>
    public static bool ContainsWildcards(string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var ch = name[i];
            if (ch == '\\')
            {
                i++;
            }
            else if (ch is '*' or '?' or '[')
            {
                return true;
            }
        }

        return false;
    }

    private static void ScanChunk(ReadOnlySpan<char> pattern, out bool star, out ReadOnlySpan<char> chunk, out ReadOnlySpan<char> rest)
    {
        star = false;
        while (pattern.Length > 0 && pattern[0] == '*')
        {
            pattern = pattern[1..];
            star = true;
        }

        var inRange = false;
        var end = 0;
        for (; end < pattern.Length; end++)
        {
            var ch = pattern[end];
            if (ch == '\\')
            {
                if (end + 1 < pattern.Length)
                {
                    end++;
                }
            }
            else if (ch == '[')
            {
                inRange = true;
            }
            else if (ch == ']')
            {
                inRange = false;
            }
            else if (ch == '*' && !inRange)
            {
                break;
            }
        }

        chunk = pattern[..end];
        rest = pattern[end..];
    }

    /// <summary>Matches a star-free chunk against the start of <paramref name="text"/>; <paramref name="rest"/> is what is left.</summary>
    private static bool MatchChunk(ReadOnlySpan<char> chunk, ReadOnlySpan<char> text, out ReadOnlySpan<char> rest)
    {
        // Like Go, keep parsing after a mismatch so that a malformed chunk is always reported.
        var failed = false;
        while (chunk.Length > 0)
        {
            if (!failed && text.IsEmpty)
            {
                failed = true;
            }

            switch (chunk[0])
            {
                case '[':
                {
                    var rune = 0;
                    if (!failed)
                    {
                        rune = DecodeRune(text, out var length);
                        text = text[length..];
                    }

                    chunk = chunk[1..];
                    var negated = false;
                    if (chunk.Length > 0 && chunk[0] == '^')
                    {
                        negated = true;
                        chunk = chunk[1..];
                    }

                    var matched = false;
                    var ranges = 0;
                    while (true)
                    {
                        if (chunk.Length > 0 && chunk[0] == ']' && ranges > 0)
                        {
                            chunk = chunk[1..];
                            break;
                        }

                        var low = ReadClassCharacter(ref chunk);
                        var high = low;
                        if (chunk[0] == '-')
                        {
                            chunk = chunk[1..];
                            high = ReadClassCharacter(ref chunk);
                        }

                        if (low <= rune && rune <= high)
                        {
                            matched = true;
                        }

                        ranges++;
                    }

                    if (matched == negated)
                    {
                        failed = true;
                    }

                    break;
                }

                case '?':
                    if (!failed)
                    {
                        if (text[0] == '/')
                        {
                            failed = true;
                        }

                        DecodeRune(text, out var length);
                        text = text[length..];
                    }

                    chunk = chunk[1..];
                    break;

                default:
                    if (chunk[0] == '\\')
                    {
                        chunk = chunk[1..];
                        if (chunk.IsEmpty)
                        {
                            throw BadPattern();
                        }
                    }

                    if (!failed)
                    {
                        if (chunk[0] != text[0])
                        {
                            failed = true;
                        }

                        text = text[1..];
                    }

                    chunk = chunk[1..];
                    break;
            }
        }

        rest = failed ? ReadOnlySpan<char>.Empty : text;
        return !failed;
    }

    /// <summary>One (possibly escaped) character of a class; a class must not end right after it.</summary>
    private static int ReadClassCharacter(ref ReadOnlySpan<char> chunk)
    {
        if (chunk.IsEmpty || chunk[0] == '-' || chunk[0] == ']')
        {
            throw BadPattern();
        }

        if (chunk[0] == '\\')
        {
            chunk = chunk[1..];
            if (chunk.IsEmpty)
            {
                throw BadPattern();
            }
        }

        var rune = DecodeRune(chunk, out var length);
        chunk = chunk[length..];
        if (chunk.IsEmpty)
        {
            throw BadPattern();
        }

        return rune;
    }

    /// <summary>The code point at the start (a surrogate pair counts as one, as a Go rune does).</summary>
    private static int DecodeRune(ReadOnlySpan<char> text, out int length)
    {
        if (text.Length > 1 && char.IsHighSurrogate(text[0]) && char.IsLowSurrogate(text[1]))
        {
            length = 2;
            return char.ConvertToUtf32(text[0], text[1]);
        }

        length = 1;
        return text[0];
    }

    private static FormatException BadPattern() => new("syntax error in pattern");
}
