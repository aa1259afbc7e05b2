using Buildx.Core.Builders;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Builders;

/// <summary>buildx's parseBuildkitdFlags: the network.host entitlement for container drivers.</summary>
public class BuildkitdFlagsTests
{
    private const string NetworkHost = "--allow-insecure-entitlement=network.host";

    [Fact]
    public void Container_drivers_get_the_network_host_entitlement()
    {
        Assert.Equal([NetworkHost], BuildkitdFlags.Resolve(null, "docker-container", null, false));
        Assert.Equal(["--debug", NetworkHost], BuildkitdFlags.Resolve(["--debug"], "kubernetes", null, false));
    }

    [Fact]
    public void Other_drivers_keep_their_flags_or_none()
    {
        Assert.Null(BuildkitdFlags.Resolve(null, "remote", null, false));
        Assert.Equal(["--debug"], BuildkitdFlags.Resolve(["--debug"], "remote", null, false));
    }

    [Fact]
    public void The_users_entitlements_or_the_config_file_replace_the_default()
    {
        Assert.Equal(["--allow-insecure-entitlement", "security.insecure"], BuildkitdFlags.Resolve(["--allow-insecure-entitlement security.insecure"], "docker-container", null, false));
        Assert.Equal(["--debug"], BuildkitdFlags.Resolve(["--debug"], "docker-container", null, configAllowsNetworkHost: true));
    }

    [Fact]
    public void Host_networking_always_gets_network_host()
    {
        var options = new Dictionary<string, string> { ["network"] = "host" };

        Assert.Equal(["--allow-insecure-entitlement=security.insecure", NetworkHost], BuildkitdFlags.Resolve(["--allow-insecure-entitlement=security.insecure"], "docker-container", options, false));
        Assert.Equal([NetworkHost], BuildkitdFlags.Resolve([NetworkHost], "docker-container", options, false));
    }

    [Fact]
    public void A_config_file_with_network_host_is_recognized()
    {
        var files = new Dictionary<string, byte[]> { ["buildkitd.toml"] = "debug = true\nentitlements = [\"security.insecure\", \"network.host\"]\n"u8.ToArray() };

        Assert.True(BuildkitdConfigFile.AllowsNetworkHost(files));
        Assert.False(BuildkitdConfigFile.AllowsNetworkHost(new Dictionary<string, byte[]> { ["buildkitd.toml"] = "# entitlements = [\"network.host\"]\n"u8.ToArray() }));
    }

    [Fact]
    public void Unbalanced_quotes_are_an_error_naming_the_flags()
    {
        var error = Assert.Throws<BuildxException>(() => BuildkitdFlags.Resolve(["--x='open"], "docker-container", null, false));

        Assert.Equal(ErrorIds.InvalidBuildkitdFlags, error.ErrorId);
    }
}
