using Buildx.Core.Drivers;
using Buildx.Core.Versioning;

namespace Buildx.Core.Tests.Versioning;

public class EngineBuildkitVersionTests
{
    // The cases buildx's own tests check, so both tools print the same BUILDKIT column.
    [Theory]
    [InlineData("18.06.1-ce", "v0.0.0+98f1604")]
    [InlineData("18.09.1-beta1", "v0.3.3")]
    [InlineData("19.03.0-beta1", "v0.4.0+b302896")]
    [InlineData("19.03.5-beta2", "v0.6.2+ff93519")]
    [InlineData("19.03.13-beta1", "v0.6.4+da1f4bf")]
    [InlineData("19.03.13-beta2", "v0.6.4+da1f4bf")]
    [InlineData("19.03.13", "v0.6.4+df89d4d")]
    [InlineData("20.10.3-rc.1", "v0.8.1+68bb095")]
    [InlineData("20.10.3", "v0.8.1+68bb095")]
    [InlineData("20.10.4", "v0.8.2")]
    [InlineData("20.10.16", "v0.8.2+bc07b2b8")]
    [InlineData("20.10.19", "v0.8.2+3a1eeca5")]
    [InlineData("20.10.23", "v0.8.2+eeb7b65")]
    [InlineData("20.10.24", "v0.8+unknown")]
    [InlineData("20.10.24+dfsg1", "v0.8+unknown")]
    [InlineData("20.10.50", "v0.8+unknown")]
    [InlineData("22.06.0-beta.0", "v0.10.3")]
    [InlineData("22.06.0", "v0.10.3")]
    [InlineData("23.0.0-rc.4", "v0.10.6")]
    [InlineData("23.0.0", "v0.10.6")]
    [InlineData("23.0.1", "v0.10.6+4f0ee09")]
    [InlineData("23.0.2-rc.1", "v0.10.6+70f2ad5")]
    [InlineData("23.0.3", "v0.10.6+70f2ad5")]
    [InlineData("23.0.5", "v0.10.6+d52b2d5")]
    [InlineData("23.0.7", "v0.10+unknown")]
    public void Maps_engine_versions_as_buildx_does(string engine, string buildkit) =>
        Assert.Equal(buildkit, EngineBuildkitVersion.FromEngineVersion(engine));

    [Theory]
    [InlineData("27.3.1", "27.3.1")]
    [InlineData("28.0.0-moby", "28.0.0")]
    [InlineData("not a version", "not a version")]
    public void Newer_engines_report_their_own_version(string engine, string expected) =>
        Assert.Equal(expected, EngineBuildkitVersion.FromEngineVersion(engine));

    [Theory]
    [InlineData("1.0.0-alpha", "1.0.0-alpha.1")]
    [InlineData("1.0.0-alpha.1", "1.0.0-alpha.beta")]
    [InlineData("1.0.0-beta.2", "1.0.0-beta.11")]
    [InlineData("1.0.0-rc.1", "1.0.0")]
    [InlineData("19.03.5-0", "19.03.5-beta2")]
    [InlineData("20.10.9", "20.10.10")]
    public void Orders_versions_by_semver_rules(string lower, string higher)
    {
        Assert.True(SemanticVersion.Parse(lower) < SemanticVersion.Parse(higher));
        Assert.True(SemanticVersion.Parse(higher) > SemanticVersion.Parse(lower));
    }
}
