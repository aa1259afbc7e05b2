using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Tests.Store;

public sealed class BuilderNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("MyBuilder")]
    [InlineData("b.x-y_z9")]
    public void Accepts_buildx_names_and_lowercases_them(string name)
    {
        Assert.True(BuilderName.IsValid(name));
        Assert.Equal(name.ToLowerInvariant(), BuilderName.Validate(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("123builder")]
    [InlineData("foo/bar")]
    [InlineData("_x")]
    [InlineData("a b")]
    [InlineData("ünicode")]
    [InlineData("..")]
    public void Refuses_other_names_with_buildx_message(string name)
    {
        var error = Assert.Throws<BuildxException>(() => BuilderName.Validate(name));

        Assert.Equal(ErrorIds.InvalidBuilderName, error.ErrorId);
        Assert.Equal(BuildxErrorKind.InvalidArgument, error.Kind);
        Assert.Equal($"invalid name {name}, name needs to start with a letter and may not contain symbols, except ._-", error.Message);
    }

    [Fact]
    public void Default_is_reserved()
    {
        var error = Assert.Throws<BuildxException>(() => BuilderName.EnsureCreatable("default"));

        Assert.Equal(ErrorIds.ReservedBuilderName, error.ErrorId);
        Assert.Equal("default is a reserved name and cannot be used to identify builder instance", error.Message);
        BuilderName.EnsureCreatable("Default"); // buildx compares exactly
    }

    [Fact]
    public void Random_names_are_adjective_underscore_surname()
    {
        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var name = RandomBuilderName.Next(0, random);
            var parts = name.Split('_');

            Assert.Equal(2, parts.Length);
            Assert.Contains(parts[0], RandomBuilderName.AdjectiveWords);
            Assert.Contains(parts[1], RandomBuilderName.SurnameWords);
            Assert.NotEqual("boring_wozniak", name);
            Assert.True(BuilderName.IsValid(name));
        }
    }

    [Fact]
    public void Retries_append_one_digit()
    {
        var name = RandomBuilderName.Next(3, new Random(7));

        Assert.Matches("^[a-z]+_[a-z]+[0-9]$", name);
    }

    [Fact]
    public void Word_lists_are_docker_namesgenerator_lists()
    {
        Assert.Equal(108, RandomBuilderName.AdjectiveWords.Count);
        Assert.Equal(236, RandomBuilderName.SurnameWords.Count);
        Assert.Equal("admiring", RandomBuilderName.AdjectiveWords[0]);
        Assert.Equal("zhukovsky", RandomBuilderName.SurnameWords[^1]);
        Assert.Contains("wozniak", RandomBuilderName.SurnameWords);
    }
}
