using System.Text;
using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Builds.Options;

public sealed class SecretSpecParserTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Theory]
    [InlineData("id=npm,src=./npmrc", SecretSourceKind.File, "./npmrc")]
    [InlineData("id=npm,source=./npmrc", SecretSourceKind.File, "./npmrc")]
    [InlineData("id=tok,env=TOKEN", SecretSourceKind.Environment, "TOKEN")]
    [InlineData("id=tok,type=env,src=TOKEN", SecretSourceKind.Environment, "TOKEN")]
    [InlineData("id=tok,type=env", SecretSourceKind.Environment, "tok")]
    [InlineData("ID=npm,Type=file", SecretSourceKind.File, "npm")]
    public void Reads_buildx_csv(string text, SecretSourceKind kind, string source)
    {
        var spec = SecretSpecParser.ParseCsv(text);

        Assert.Equal(kind, spec.Kind);
        Assert.Equal(source, spec.Source);
    }

    [Fact]
    public void An_id_alone_is_the_env_var_of_that_name_when_set_else_the_file()
    {
        var fromEnv = SecretSpecParser.FromPairs([new("id", "HOME_TOKEN")], name => name == "HOME_TOKEN" ? "x" : null);
        var fromFile = SecretSpecParser.FromPairs([new("id", "npmrc")], _ => null);

        Assert.Equal(SecretSourceKind.Environment, fromEnv.Kind);
        Assert.Equal(SecretSourceKind.File, fromFile.Kind);
        Assert.Equal("npmrc", fromFile.Source);
    }

    [Fact]
    public void A_value_is_kept_out_of_its_text_form()
    {
        var spec = SecretSpecParser.FromPairs([new("id", "tok"), new("value", "s3cr3t-value")]);

        Assert.Equal(SecretSourceKind.Value, spec.Kind);
        Assert.DoesNotContain("s3cr3t", spec.ToString(), StringComparison.Ordinal);
        Assert.Equal("s3cr3t-value", Encoding.UTF8.GetString(spec.CopyValue()));
    }

    [Fact]
    public void A_byte_array_value_is_copied_and_left_untouched()
    {
        byte[] bytes = [1, 2, 3];

        var spec = SecretSpecParser.FromPairs([new("id", "bin"), new("value", bytes)]);

        Assert.Equal([1, 2, 3], bytes);
        Assert.Equal([1, 2, 3], spec.CopyValue());
    }

    [Fact]
    public void ClearValue_zeroes_the_held_value_and_leaves_copies_alone()
    {
        var spec = SecretSpecParser.FromPairs([new("id", "tok"), new("value", "s3cr3t")]);
        var copy = spec.CopyValue();

        spec.ClearValue();

        Assert.Equal(new byte[6], spec.CopyValue());
        Assert.Equal("s3cr3t", Encoding.UTF8.GetString(copy));
    }

    [Theory]
    [InlineData("src=./npmrc", "needs an id")]
    [InlineData("id=a,type=socket", "the types are file and env")]
    [InlineData("id=a,src=f,env=E", "both src and env")]
    [InlineData("id=a,colour=blue", "unexpected key 'colour'")]
    [InlineData("id=a,value=hunter2", "cannot be given in CSV")]
    [InlineData("id=a,novalue", "not key=value")]
    public void Refuses_bad_values_with_what_is_accepted(string text, string expected)
    {
        var error = Assert.Throws<BuildxException>(() => SecretSpecParser.ParseCsv(text));

        Assert.Equal(ErrorIds.InvalidSecret, error.ErrorId);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_that_conflicts_never_shows_in_the_error()
    {
        var error = Assert.Throws<BuildxException>(() => SecretSpecParser.FromPairs([new("id", "a"), new("value", "hunter2"), new("env", "X")]));

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_checks_sources_and_unique_ids()
    {
        var file = directory.Write("npmrc", "token");
        SecretSpecParser.Validate([SecretSpec.FromFile("npm", file), SecretSpec.FromEnvironment("t", "SET")], name => name == "SET" ? "v" : null);

        var missingFile = Assert.Throws<BuildxException>(() => SecretSpecParser.Validate([SecretSpec.FromFile("npm", file + ".missing")]));
        var missingEnv = Assert.Throws<BuildxException>(() => SecretSpecParser.Validate([SecretSpec.FromEnvironment("t", "UNSET")], _ => null));
        var duplicate = Assert.Throws<BuildxException>(() => SecretSpecParser.Validate([SecretSpec.FromFile("npm", file), SecretSpec.FromFile("npm", file)]));

        Assert.Equal(ErrorIds.SecretSourceNotFound, missingFile.ErrorId);
        Assert.Equal(BuildxErrorKind.ObjectNotFound, missingFile.Kind);
        Assert.Equal(ErrorIds.SecretSourceNotFound, missingEnv.ErrorId);
        Assert.Equal(ErrorIds.InvalidSecret, duplicate.ErrorId);
    }
}
