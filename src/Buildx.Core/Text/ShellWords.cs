using System.Text;

namespace Buildx.Core.Text;

/// <summary>
/// Splits a command line into words as buildx does for <c>--buildkitd-flags</c> (google/shlex):
/// whitespace separates words; single quotes keep everything literally; double quotes keep
/// everything but a backslash before <c>"</c>, <c>\</c>, <c>$</c>, <c>`</c> or a newline; a
/// backslash outside quotes escapes the next character; <c>#</c> at the start of a word starts a comment.
/// </summary>
public static class ShellWords
{
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            if (c == '#' && !inWord)
            {
                // A comment runs to the end of the line.
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            inWord = true;
            switch (c)
            {
                case '\\':
                    if (++i >= text.Length)
                    {
                        throw new FormatException("EOF found after escape character");
                    }

                    word.Append(text[i]);
                    break;
                case '\'':
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new FormatException("EOF found when expecting closing quote");
                    }

                    word.Append(text, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    i = ReadDoubleQuoted(text, i + 1, word);
                    break;
                default:
                    word.Append(c);
                    break;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static int ReadDoubleQuoted(string text, int start, StringBuilder word)
    {
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                return i;
            }

            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`' or '\n')
            {
                word.Append(text[++i]);
                continue;
            }

            word.Append(c);
        }

        throw new FormatException("EOF found when expecting closing quote");
    }
}
