using Buildx.Core.Drivers;
using Buildx.Core.Drivers.Remote;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Drivers;

/// <summary>The remote driver's options with buildx's rules: absolute paths, cacert with any TLS, cert and key together.</summary>
public class RemoteDriverOptionsTests
{
    [Fact]
    public void Reads_tls_options_and_default_load()
    {
        var options = RemoteDriverOptions.Parse(new Dictionary<string, string>
        {
            ["cacert"] = "/certs/ca.pem",
            ["cert"] = "/certs/cert.pem",
            ["key"] = "/certs/key.pem",
            ["servername"] = "buildkitd.example",
            ["default-load"] = "true",
        });

        Assert.True(options.UsesTls);
        Assert.Equal(("/certs/ca.pem", "/certs/cert.pem", "/certs/key.pem", "buildkitd.example"), (options.CaCertPath, options.CertPath, options.KeyPath, options.ServerName));
        Assert.True(options.DefaultLoad);
        Assert.False(RemoteDriverOptions.Parse(new Dictionary<string, string>()).UsesTls);
    }

    [Theory]
    [InlineData("servername", "x", "need cacert")]
    [InlineData("cacert", "certs/ca.pem", "not an absolute path")]
    [InlineData("default-load", "maybe", "not a boolean")]
    public void Refuses_what_buildx_refuses(string key, string value, string expected)
    {
        var error = Assert.Throws<BuildxException>(() => RemoteDriverOptions.Parse(new Dictionary<string, string> { [key] = value }));
        Assert.Equal(ErrorIds.InvalidDriverOption, error.ErrorId);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_certificate_needs_both_files()
    {
        var error = Assert.Throws<BuildxException>(() => RemoteDriverOptions.Parse(new Dictionary<string, string> { ["cacert"] = "/ca.pem", ["cert"] = "/cert.pem" }));
        Assert.Equal(ErrorIds.InvalidDriverOption, error.ErrorId);
        Assert.Contains("'key' is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_keys_get_a_suggestion_through_the_driver_descriptor()
    {
        var error = Assert.Throws<BuildxException>(() => KnownDrivers.Remote.Normalize([new("CACert", "/ca.pem"), new("servrname", "x")]));
        Assert.Equal(ErrorIds.UnknownDriverOption, error.ErrorId);
        Assert.Contains("Did you mean 'servername'?", error.Message, StringComparison.Ordinal);

        // Keys are matched without regard to case and stored as buildx spells them.
        var normalized = KnownDrivers.Remote.Normalize([new("CACert", "/ca.pem"), new("ServerName", "x")]);
        Assert.Equal(["cacert", "servername"], normalized.Keys);
    }
}
