using Buildx.Core.Session.FileSync;

namespace Buildx.Core.Tests.Session.FileSync;

public class DockerIgnoreFileTests
{
    [Fact]
    public void Skips_comments_and_blank_lines_and_trims()
    {
        var text = "\uFEFF# build output\n  bin  \n\n\t\nobj/\r\n   # not a comment: only column 0 counts\n";

        Assert.Equal(["bin", "obj", "# not a comment: only column 0 counts"], DockerIgnoreFile.Parse(text));
    }

    [Fact]
    public void Cleans_paths_and_removes_a_leading_slash_also_after_an_exception()
    {
        var text = "/root-only\n./here/../there\n! /docs/keep.md\n!  spaced\ndir//sub/\n/\n";

        Assert.Equal(["root-only", "there", "!docs/keep.md", "!spaced", "dir/sub", "/"], DockerIgnoreFile.Parse(text));
    }

    [Fact]
    public void Keeps_a_lone_exclamation_mark_for_the_matcher_to_reject()
    {
        var patterns = DockerIgnoreFile.Parse("!\n");

        Assert.Equal(["!"], patterns);
        Assert.Throws<FormatException>(() => new DockerIgnorePatterns(patterns));
    }

    [Fact]
    public void Reads_a_last_line_without_newline()
    {
        Assert.Equal(["a", "b"], DockerIgnoreFile.Parse("a\nb"));
    }
}
