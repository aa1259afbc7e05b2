namespace Buildx.Core.Session.FileSync;

/// <summary>
/// An ordered list of Docker ignore patterns with Docker's semantics (moby/patternmatcher): the last pattern
/// that matches decides; a pattern that matches a directory matches everything below it; <c>!</c> patterns
/// re-include. Paths are relative and slash-separated.
/// </summary>
public sealed class DockerIgnorePatterns
{
    private readonly DockerIgnorePattern[] patterns;

    /// <summary>
    /// Compiles patterns as Docker does: whitespace is trimmed, empty patterns are dropped, each is cleaned
    /// (before its <c>!</c> is split off, like Docker) and checked with Go's glob syntax.
    /// </summary>
    /// <exception cref="FormatException">
    /// A pattern is not a valid glob, or is a lone <c>!</c>. (A glob that RE2 rejects, such as one escaping a
    /// letter, fails later, when it is first matched, as in Docker.)
    /// </exception>
    public DockerIgnorePatterns(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var compiled = new List<DockerIgnorePattern>();
        foreach (var raw in patterns)
        {
            var pattern = raw.Trim();
            if (pattern.Length == 0)
            {
                continue;
            }

            if (OperatingSystem.IsWindows())
            {
                // The Go client on Windows treats "\" as a separator and has no escapes.
                pattern = pattern.Replace('\\', '/');
            }

            pattern = GoPath.Clean(pattern);
            var isException = pattern[0] == '!';
            if (isException)
            {
                if (pattern.Length == 1)
                {
                    throw new FormatException("illegal exclusion pattern: \"!\"");
                }

                pattern = pattern[1..];
                HasExceptions = true;
            }

            GoGlob.Validate(pattern);
            compiled.Add(new DockerIgnorePattern(pattern, isException));
        }

        this.patterns = [.. compiled];
    }

    public IReadOnlyList<DockerIgnorePattern> Patterns => patterns;

    /// <summary>Whether any pattern is a <c>!</c> exception.</summary>
    public bool HasExceptions { get; }

    /// <summary>Patterns from the text of a <c>.dockerignore</c> file.</summary>
    public static DockerIgnorePatterns Parse(string dockerignoreText) => new(DockerIgnoreFile.Parse(dockerignoreText));

    /// <summary>Whether the path, or one of its parent directories, is matched (and not re-included by a later exception).</summary>
    public bool MatchesOrParentMatches(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var matched = false;
        foreach (var pattern in patterns)
        {
            // An include pattern cannot change an already matched path, nor an exception an unmatched one.
            if (pattern.IsException != matched)
            {
                continue;
            }

            if (pattern.Matches(path) || AnyParentMatches(pattern, path))
            {
                matched = !pattern.IsException;
            }
        }

        return matched;
    }

    /// <summary>
    /// The walking form of <see cref="MatchesOrParentMatches"/>: <paramref name="parentInfo"/> is the result
    /// for the containing directory (<c>default</c> for top-level entries), and <paramref name="info"/> is
    /// what to pass for this entry's children. Gives the same answers as fsutil's walker, including its
    /// quirks for patterns that were skipped at a parent.
    /// </summary>
    public bool MatchesUsingParentResults(string path, PatternMatchInfo parentInfo, out PatternMatchInfo info)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parentMatched = parentInfo.MatchedByPattern;
        if (parentMatched.Length != 0 && parentMatched.Length != patterns.Length)
        {
            throw new ArgumentException("The parent results come from a different pattern list.", nameof(parentInfo));
        }

        var matchedByPattern = new bool[patterns.Length];
        var matched = false;
        for (var i = 0; i < patterns.Length; i++)
        {
            var pattern = patterns[i];
            var match = parentMatched.Length != 0 && parentMatched[i];
            if (!match)
            {
                if (pattern.IsException != matched)
                {
                    continue;
                }

                match = pattern.Matches(path) || (parentMatched.Length == 0 && AnyParentMatches(pattern, path));
            }

            matchedByPattern[i] = match;
            if (match)
            {
                matched = !pattern.IsException;
            }
        }

        info = new PatternMatchInfo(matchedByPattern);
        return matched;
    }

    public override string ToString() => string.Join(", ", patterns.Select(p => p.ToString()));

    private static bool AnyParentMatches(DockerIgnorePattern pattern, string path)
    {
        var parent = GoPath.Dir(path);
        if (parent == ".")
        {
            return false;
        }

        // "a", then "a/b", then "a/b/c" ... up to the parent itself.
        var separator = parent.IndexOf('/', StringComparison.Ordinal);
        while (separator >= 0)
        {
            if (pattern.Matches(parent[..separator]))
            {
                return true;
            }

            separator = parent.IndexOf('/', separator + 1);
        }

        return pattern.Matches(parent);
    }
}
