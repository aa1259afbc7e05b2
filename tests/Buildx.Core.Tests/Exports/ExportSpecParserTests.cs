using Buildx.Core.Errors;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Exports;

public class ExportSpecParserTests
{
    [Fact]
    public void Reads_buildx_csv()
    {
        var spec = ExportSpecParser.ParseCsv("type=local,dest=out,platform-split=false");

        Assert.Equal("local", spec.Type);
        Assert.Equal("out", spec.Destination);
        Assert.Equal("false", spec.Attributes["platform-split"]);
        Assert.False(spec.Attributes.ContainsKey("dest"));
    }

    [Fact]
    public void Lowercases_keys_and_type_and_keeps_values()
    {
        var spec = ExportSpecParser.ParseCsv(" Type = TAR , Dest=Out.tar, Name=Keep/Case ");

        Assert.Equal("tar", spec.Type);
        Assert.Equal("Out.tar", spec.Destination);
        Assert.Equal("Keep/Case", spec.Attributes["name"]);
    }

    [Fact]
    public void Quotes_protect_commas()
    {
        var spec = ExportSpecParser.ParseCsv("type=image,\"name=a:1,b:2\",push=true");

        Assert.Equal("a:1,b:2", spec.Attributes["name"]);
        Assert.Equal("true", spec.Attributes["push"]);
    }

    [Theory]
    [InlineData("-", "tar", "-")]
    [InlineData("./out", "local", "./out")]
    public void Understands_the_shorthands(string text, string type, string destination)
    {
        var spec = ExportSpecParser.ParseCsv(text);

        Assert.Equal(type, spec.Type);
        Assert.Equal(destination, spec.Destination);
    }

    [Theory]
    [InlineData("dest=out", "has no type")]
    [InlineData("type=local,oops", "is not key=value")]
    [InlineData("type=bogus", "is not known")]
    [InlineData("type=local,\"dest=out", "unterminated quote")]
    public void Refuses_bad_specs_saying_what_is_accepted(string text, string why)
    {
        var error = Assert.Throws<BuildxException>(() => ExportSpecParser.ParseCsv(text));

        Assert.Equal(ErrorIds.InvalidOutput, error.ErrorId);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Contains("type='local'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_key_value_maps_with_typed_values()
    {
        var spec = ExportSpecParser.FromPairs([new("type", "image"), new("push", true), new("compression-level", 3), new("Name", "x:1")]);

        Assert.Equal("image", spec.Type);
        Assert.Equal("true", spec.Attributes["push"]);
        Assert.Equal("3", spec.Attributes["compression-level"]);
        Assert.Equal("x:1", spec.Attributes["name"]);
    }
}
