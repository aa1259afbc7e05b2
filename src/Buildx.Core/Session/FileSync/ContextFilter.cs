namespace Buildx.Core.Session.FileSync;

/// <summary>
/// The include/exclude rules of one DiffCopy request, set up as fsutil's filter does: followpaths become extra
/// include patterns, and when patterns are plain paths the walk may skip whole directories that no pattern
/// can reach.
/// </summary>
internal sealed class ContextFilter
{
    /// <summary>Characters that make a pattern more than a literal path (the backslash escape only off Windows).</summary>
    private static readonly char[] PatternCharacters = OperatingSystem.IsWindows() ? ['*', '[', ']', '?', '^'] : ['*', '[', ']', '?', '^', '\\'];

    private ContextFilter(DockerIgnorePatterns? include, DockerIgnorePatterns? exclude)
    {
        Include = include;
        Exclude = exclude;
        IncludesArePlainPaths = include is null || include.Patterns.All(p => p.IsException || !HasPatternCharacters(p));
        ExceptionsArePlainPaths = exclude is null || exclude.Patterns.All(p => !p.IsException || !HasPatternCharacters(p));
    }

    public static ContextFilter None { get; } = new(null, null);

    /// <summary>Entries must match one of these (null: no include rule).</summary>
    public DockerIgnorePatterns? Include { get; }

    /// <summary>Entries must not match these (null: no exclude rule).</summary>
    public DockerIgnorePatterns? Exclude { get; }

    /// <summary>
    /// Builds the filter from request metadata. An include or exclude list that is present but holds only
    /// blank patterns still counts (so it includes nothing / excludes nothing), as in fsutil.
    /// </summary>
    /// <exception cref="FormatException">A pattern is malformed.</exception>
    public static ContextFilter Create(
        string root,
        IReadOnlyList<string> includePatterns,
        IReadOnlyList<string> excludePatterns,
        IReadOnlyList<string> followPaths,
        IFileStatReader statReader)
    {
        var includes = includePatterns.ToList();
        if (followPaths.Count > 0 && FollowPathResolver.Resolve(root, followPaths, statReader) is { } targets)
        {
            includes.AddRange(targets);
            // fsutil de-duplicates the combined list without sorting it first, and drops the include rule
            // entirely when it contains ".".
            includes = FollowPathResolver.DedupeSortedPaths(includes) ?? [];
        }

        var include = includes.Count > 0 ? Compile(includes, "includepatterns") : null;
        var exclude = excludePatterns.Count > 0 ? Compile(excludePatterns, "excludepatterns") : null;
        return include is null && exclude is null ? None : new ContextFilter(include, exclude);
    }

    /// <summary>
    /// For a directory that is not included itself: could an include pattern still match something inside?
    /// When that cannot be known cheaply (wildcards), assume it could.
    /// </summary>
    public bool IncludeMayMatchInside(string directory) =>
        !IncludesArePlainPaths || Include!.Patterns.Any(p => !p.IsException && StartsWithDirectory(p, directory));

    /// <summary>For an excluded directory: could an exception (<c>!</c>) pattern re-include something inside?</summary>
    public bool ExceptionMayMatchInside(string directory) =>
        !ExceptionsArePlainPaths || (Exclude!.HasExceptions && Exclude.Patterns.Any(p => p.IsException && StartsWithDirectory(p, directory)));

    private bool IncludesArePlainPaths { get; }

    private bool ExceptionsArePlainPaths { get; }

    private static DockerIgnorePatterns Compile(IEnumerable<string> patterns, string kind)
    {
        try
        {
            return new DockerIgnorePatterns(patterns);
        }
        catch (FormatException e)
        {
            throw new FormatException($"invalid {kind}: [{string.Join(' ', patterns)}]: {e.Message}", e);
        }
    }

    private static bool HasPatternCharacters(DockerIgnorePattern pattern) =>
        WithoutTrailingGlob(pattern).IndexOfAny(PatternCharacters) >= 0;

    private static bool StartsWithDirectory(DockerIgnorePattern pattern, string directory) =>
        (WithoutTrailingGlob(pattern) + "/").StartsWith(directory + "/", StringComparison.Ordinal);

    /// <summary>"dir/**" and "dir/*" name the directory "dir" for these checks.</summary>
    private static string WithoutTrailingGlob(DockerIgnorePattern pattern)
    {
        var text = pattern.Text;
        if (text.EndsWith("/**", StringComparison.Ordinal))
        {
            text = text[..^3];
        }

        if (text.EndsWith("/*", StringComparison.Ordinal))
        {
            text = text[..^2];
        }

        return text;
    }
}
