using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Tests.Store;

public sealed class PlatformSpecifierTests
{
    [Theory]
    [InlineData("linux/amd64", "amd64", "linux", "")]
    [InlineData("linux/x86_64", "amd64", "linux", "")]
    [InlineData("linux/arm", "arm", "linux", "v7")]
    [InlineData("linux/arm/v6", "arm", "linux", "v6")]
    [InlineData("linux/armhf", "arm", "linux", "v7")]
    [InlineData("linux/arm64/v8", "arm64", "linux", "")]
    [InlineData("linux/aarch64", "arm64", "linux", "")]
    [InlineData("Linux/AMD64", "amd64", "linux", "")]
    [InlineData("macos/arm64", "arm64", "darwin", "")]
    [InlineData("linux/i386", "386", "linux", "")]
    public void Parses_and_normalizes_as_buildx_stores_platforms(string specifier, string architecture, string os, string variant)
    {
        var platform = Assert.Single(PlatformSpecifier.ParseList([specifier])!);

        Assert.Equal(architecture, platform.Architecture);
        Assert.Equal(os, platform.OS);
        Assert.Equal(variant, platform.Variant);
    }

    [Fact]
    public void Values_may_hold_comma_separated_platforms()
    {
        var platforms = PlatformSpecifier.ParseList(["linux/amd64,linux/arm64", "linux/s390x"])!;

        Assert.Equal(["linux/amd64", "linux/arm64", "linux/s390x"], platforms.Select(p => p.ToString()));
    }

    [Fact]
    public void No_values_give_null_as_go_gives_a_nil_slice()
    {
        Assert.Null(PlatformSpecifier.ParseList(null));
        Assert.Null(PlatformSpecifier.ParseList([]));
    }

    [Fact]
    public void Windows_version_and_features_are_parsed()
    {
        var platform = PlatformSpecifier.Parse("windows(10.0.17763+win32k)/amd64");

        Assert.Equal("windows", platform.OS);
        Assert.Equal("10.0.17763", platform.OSVersion);
        Assert.Equal(["win32k"], platform.OSFeatures);
    }

    [Fact]
    public void Local_is_this_machine()
    {
        var platform = Assert.Single(PlatformSpecifier.ParseList(["local"])!);

        Assert.False(string.IsNullOrEmpty(platform.OS));
        Assert.False(string.IsNullOrEmpty(platform.Architecture));
    }

    [Theory]
    [InlineData("linux/*")]
    [InlineData("lin ux/amd64")]
    [InlineData("linux/amd64/v8/extra")]
    [InlineData("notanos")]
    public void Rejects_bad_specifiers(string specifier)
    {
        var error = Assert.Throws<BuildxException>(() => PlatformSpecifier.ParseList([specifier]));

        Assert.Equal(ErrorIds.InvalidPlatform, error.ErrorId);
    }

    [Fact]
    public void Format_skips_empty_parts_and_names_a_missing_os_unknown()
    {
        Assert.Equal("linux/arm/v7", PlatformSpecifier.Format(new OciPlatform { OS = "linux", Architecture = "arm", Variant = "v7" }));
        Assert.Equal("linux", PlatformSpecifier.Format(new OciPlatform { OS = "linux" }));
        Assert.Equal("unknown", PlatformSpecifier.Format(new OciPlatform { Architecture = "amd64" }));
    }
}
