using Buildx.Core.Text;

namespace Buildx.Core.Tests.Text;

/// <summary>buildkitd flags split as google/shlex splits buildx's --buildkitd-flags.</summary>
public class ShellWordsTests
{
    [Theory]
    [InlineData("--debug --oci-worker-gc=false", new[] { "--debug", "--oci-worker-gc=false" })]
    [InlineData("  --a   b\t c\n", new[] { "--a", "b", "c" })]
    [InlineData("--x='a b' \"c d\"", new[] { "--x=a b", "c d" })]
    [InlineData(@"--x=a\ b ""q\""uote"" 'no\escape'", new[] { "--x=a b", "q\"uote", @"no\escape" })]
    [InlineData("--a # a comment\n--b", new[] { "--a", "--b" })]
    [InlineData("", new string[0])]
    public void Splits_like_a_shell(string text, string[] expected) => Assert.Equal(expected, ShellWords.Split(text));

    [Theory]
    [InlineData("--x='open")]
    [InlineData("--x=\"open")]
    [InlineData("trailing\\")]
    public void Refuses_unterminated_quotes_and_escapes(string text) => Assert.Throws<FormatException>(() => ShellWords.Split(text));
}
