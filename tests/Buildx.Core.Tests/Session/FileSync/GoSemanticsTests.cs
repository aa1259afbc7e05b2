using Buildx.Core.Session.FileSync;
using Buildx.Core.Text;

namespace Buildx.Core.Tests.Session.FileSync;

public class GoSemanticsTests
{
    [Theory]
    [InlineData("", ".")]
    [InlineData("a//b/./c/", "a/b/c")]
    [InlineData("a/b/../../..", "..")]
    [InlineData("../../a", "../../a")]
    [InlineData("/../a/..", "/")]
    [InlineData("./", ".")]
    [InlineData("!foo/../bar", "bar")]
    public void Cleans_paths_like_go(string path, string expected)
    {
        Assert.Equal(expected, GoPath.Clean(path));
    }

    [Theory]
    [InlineData("abc", "abc", true)]
    [InlineData("a*", "ab/c", false)]
    [InlineData("a*b*c*d*e*/f", "axbxcxdxexxx/f", true)]
    [InlineData("a*b?c*x", "abxbbxdbxebxczzx", true)]
    [InlineData("ab[^e-g]", "abc", true)]
    [InlineData("[a-ζ]*", "α", true)]
    [InlineData("*[a-ζ]", "A", false)]
    [InlineData("a?b", "a/b", false)]
    [InlineData("Dockerfile*", "Dockerfile.dev", true)]
    public void Globs_like_filepath_match(string pattern, string name, bool expected)
    {
        Assert.Equal(expected, GoGlob.Match(pattern, name));
    }

    [Theory]
    [InlineData("[]a]")]
    [InlineData("[-]")]
    [InlineData("[x-]")]
    [InlineData("[a-b-c]")]
    [InlineData("[")]
    [InlineData("a[")]
    [InlineData("*x[")]
    public void Reports_malformed_globs_even_without_a_match(string pattern)
    {
        Assert.Throws<FormatException>(() => GoGlob.Match(pattern, "zzz"));
    }

    [Fact]
    public void Sorts_names_by_utf8_bytes()
    {
        // UTF-16 order would put the emoji (a surrogate pair) before U+FF5E.
        string[] names = ["😀", "～", "é", "z", "a.txt", "a", "_", "B"];

        Array.Sort(names, GoStringComparer.Instance);

        Assert.Equal(["B", "_", "a", "a.txt", "z", "é", "～", "😀"], names);
    }

    [Theory]
    [InlineData("k%C3%B6ntext", "köntext")]
    [InlineData("a+b%2Fc", "a b/c")]
    [InlineData("bad%zz", "")]
    [InlineData("plain", "plain")]
    public void Unescapes_query_values_like_go(string value, string expected)
    {
        Assert.Equal(expected, FileSyncRequest.QueryUnescape(value));
    }
}
