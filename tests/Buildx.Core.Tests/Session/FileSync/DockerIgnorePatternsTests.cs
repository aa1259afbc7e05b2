using Buildx.Core.Session.FileSync;

namespace Buildx.Core.Tests.Session.FileSync;

public class DockerIgnorePatternsTests
{
    [Theory]
    // Plain names and globs within one path element.
    [InlineData("*", "file.go", true)]
    [InlineData("*.go", "file.go", true)]
    [InlineData("*.md", "README.md", true)]
    [InlineData("*.md", "docs/README.md", false)]
    [InlineData("docs/*.md", "docs/README.md", true)]
    [InlineData("docs/*.md", "docs/sub/README.md", false)]
    [InlineData("docs/*.md", "README.md", false)]
    [InlineData("a*/b", "abc/b", true)]
    [InlineData("a*/b", "a/c/b", false)]
    [InlineData("abc?def", "abcZdef", true)]
    [InlineData("abc?def", "abcdef", false)]
    [InlineData("abc.def", "abcZdef", false)]
    [InlineData("abc.def", "abc.def", true)]
    [InlineData(".*", ".git", true)]
    [InlineData(".*", "git", false)]
    [InlineData("a[b-d]e", "ace", true)]
    [InlineData("a[b-d]e", "aae", false)]
    [InlineData("a[^b-d]e", "aze", true)]
    [InlineData(@"a\*b", "a*b", true)]
    [InlineData(@"a\*b", "axb", false)]
    [InlineData(@"a\\", @"a\", true)]
    [InlineData("a(b)c/def", "a(b)c/def", true)]
    [InlineData("a.|)$(}+{bc", "a.|)$(}+{bc", true)]
    [InlineData("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true)]
    // "**" spans any number of path elements, including none.
    [InlineData("**", "dir/file", true)]
    [InlineData("**/*.md", "README.md", true)]
    [InlineData("**/*.md", "docs/deep/README.md", true)]
    [InlineData("**/dir", "dir", true)]
    [InlineData("**/dir", "a/b/dir/file", true)]
    [InlineData("**/.foo", "bar.foo", false)]
    [InlineData("**file", "dir/dir/file", true)]
    [InlineData("**/dir2/*", "dir/dir2/file", true)]
    [InlineData("dir/**", "dir/dir2/file", true)]
    [InlineData("abc/**", "abc", false)]
    [InlineData("abc/**", "abc/def", true)]
    [InlineData("a**/*.txt", "a/dir/dir/file.txt", true)]
    [InlineData("**/**/*.txt2", "dir/dir/file.txt", false)]
    // A pattern that matches a directory matches everything below it.
    [InlineData("node_modules", "node_modules/lib/index.js", true)]
    [InlineData("docs", "docs/README.md", true)]
    [InlineData("a*", "ab/c", true)]
    [InlineData("docs", "documents/x", false)]
    // Non-ASCII: "?" is one character, even outside the BMP.
    [InlineData("ü*", "über.txt", true)]
    [InlineData("a?b", "a☺b", true)]
    [InlineData("a?b", "a😀b", true)]
    [InlineData("a???b", "a☺b", false)]
    [InlineData("[^a]?", "😀", false)]
    [InlineData("[^a]?", "😀x", true)]
    // Classes and escapes reach Go's RE2 as written, so they keep RE2's meaning (checked against Go).
    [InlineData("a[^b]c", "a/c", true)]
    [InlineData("[*]", "[]", true)]
    [InlineData("[*]", "*", false)]
    [InlineData("[[:digit:]]x", "1x", true)]
    [InlineData("[[:digit:]]x", "ax", false)]
    [InlineData(@"\d", "5", true)]
    [InlineData(@"\d", "d", false)]
    [InlineData(@"?\a", "aa", false)]
    [InlineData("?\\a", "a\a", true)]
    public void Matches_a_single_pattern_like_docker(string pattern, string path, bool expected)
    {
        var patterns = new DockerIgnorePatterns([pattern]);

        Assert.Equal(expected, patterns.MatchesOrParentMatches(path));
        Assert.Equal(expected, MatchWhileWalking(patterns, path));
    }

    [Theory]
    [InlineData(new[] { "*.md", "!README.md" }, "README.md", false)]
    [InlineData(new[] { "*.md", "!README.md" }, "CHANGELOG.md", true)]
    // The last matching pattern wins: an exception before the pattern does nothing.
    [InlineData(new[] { "!README.md", "*.md" }, "README.md", true)]
    // An exception re-includes a file inside an excluded directory.
    [InlineData(new[] { "docs", "!docs/README.md" }, "docs/README.md", false)]
    [InlineData(new[] { "docs", "!docs/README.md" }, "docs/other.md", true)]
    [InlineData(new[] { "docs/", "!docs/README.md" }, "docs/README.md", false)]
    [InlineData(new[] { "docs/*", "!docs/README.md" }, "docs/README.md", false)]
    [InlineData(new[] { "**", "!util/docker/web" }, "util/docker/web/foo", false)]
    [InlineData(new[] { "**", "!util/docker/web", "util/docker/web/foo" }, "util/docker/web/foo", true)]
    [InlineData(new[] { "**", "!dist/*.whl" }, "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false)]
    [InlineData(new[] { "*", "!keep", "keep/drop" }, "keep/drop/x", true)]
    [InlineData(new[] { "*", "!keep", "keep/drop" }, "keep/other", false)]
    public void Applies_exceptions_in_order(string[] patternList, string path, bool expected)
    {
        var patterns = new DockerIgnorePatterns(patternList);

        Assert.Equal(expected, patterns.MatchesOrParentMatches(path));
        Assert.Equal(expected, MatchWhileWalking(patterns, path));
    }

    [Fact]
    public void Cleans_patterns_and_notes_exceptions()
    {
        var patterns = new DockerIgnorePatterns(["  ./docs/  ", "", "  !docs//README.md  ", "a/b/../c"]);

        Assert.Equal(["docs", "!docs/README.md", "a/c"], patterns.Patterns.Select(p => p.ToString()));
        Assert.True(patterns.HasExceptions);
        Assert.False(new DockerIgnorePatterns(["docs"]).HasExceptions);
    }

    [Theory]
    [InlineData("!")]
    [InlineData("[")]
    [InlineData("a[]b")]
    [InlineData("a[b-]")]
    [InlineData(@"trailing\")]
    [InlineData("ok/*/x/[z")]
    public void Rejects_malformed_patterns(string pattern)
    {
        Assert.Throws<FormatException>(() => new DockerIgnorePatterns([pattern]));
    }

    [Fact]
    public void Reports_a_pattern_that_go_cannot_compile_when_it_is_first_used()
    {
        // "\é" is a valid glob but an invalid RE2 escape: Docker fails only once the pattern is evaluated.
        var patterns = new DockerIgnorePatterns(["*.tmp", @"!\é"]);

        Assert.False(patterns.MatchesOrParentMatches("kept.txt"));
        Assert.Throws<FormatException>(() => patterns.MatchesOrParentMatches("scratch.tmp"));
    }

    [Fact]
    public void Matches_nothing_without_patterns()
    {
        var patterns = new DockerIgnorePatterns([]);

        Assert.False(patterns.MatchesOrParentMatches("any/path"));
    }

    [Fact]
    public void Parses_dockerignore_text()
    {
        var patterns = DockerIgnorePatterns.Parse("# comment\n*.log\r\n\n!important.log\nnode_modules/\n");

        Assert.True(patterns.MatchesOrParentMatches("debug.log"));
        Assert.False(patterns.MatchesOrParentMatches("important.log"));
        Assert.True(patterns.MatchesOrParentMatches("node_modules/x/y.js"));
        Assert.False(patterns.MatchesOrParentMatches("src/app.cs"));
    }

    [Fact]
    public void Refuses_parent_results_from_another_pattern_list()
    {
        var one = new DockerIgnorePatterns(["a"]);
        var two = new DockerIgnorePatterns(["a", "b"]);
        one.MatchesUsingParentResults("a", default, out var info);

        Assert.Throws<ArgumentException>(() => two.MatchesUsingParentResults("a/b", info, out _));
    }

    /// <summary>Matches each ancestor first and passes its result down, as the walker does.</summary>
    private static bool MatchWhileWalking(DockerIgnorePatterns patterns, string path)
    {
        PatternMatchInfo info = default;
        var elements = path.Split('/');
        for (var i = 1; i < elements.Length; i++)
        {
            patterns.MatchesUsingParentResults(string.Join('/', elements[..i]), info, out info);
        }

        return patterns.MatchesUsingParentResults(path, info, out _);
    }
}
