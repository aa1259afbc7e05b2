namespace Buildx.Core.Session.FileSync;

/// <summary>Reads the text of a <c>.dockerignore</c> file into patterns, the way Docker's ignorefile reader does.</summary>
public static class DockerIgnoreFile
{
    /// <summary>
    /// One pattern per line: a leading UTF-8 BOM is dropped; lines whose first character is <c>#</c> are comments
    /// (only at column 0, before trimming); whitespace is trimmed; blank lines are skipped; paths are cleaned and a
    /// leading <c>/</c> is removed, also after a <c>!</c>.
    /// </summary>
    public static IReadOnlyList<string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var patterns = new List<string>();
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        foreach (var line in SplitLines(text))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var pattern = line.Trim();
            if (pattern.Length == 0)
            {
                continue;
            }

            var isException = pattern[0] == '!';
            if (isException)
            {
                pattern = pattern[1..].Trim();
            }

            if (pattern.Length > 0)
            {
                pattern = GoPath.Clean(pattern);
                if (pattern.Length > 1 && pattern[0] == '/')
                {
                    pattern = pattern[1..];
                }
            }

            patterns.Add(isException ? "!" + pattern : pattern);
        }

        return patterns;
    }

    /// <summary>Go's bufio line scanning: split on LF, drop one CR before it, no empty last line.</summary>
    private static IEnumerable<string> SplitLines(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            var next = end < 0 ? text.Length : end + 1;
            if (end < 0)
            {
                end = text.Length;
            }

            var line = text[start..end];
            yield return line.EndsWith('\r') ? line[..^1] : line;
            start = next;
        }
    }
}
