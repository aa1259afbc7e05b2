using Buildx.Core.Errors;
using Buildx.Core.Transport;

namespace Buildx.Core.Tests.Transport;

public class EndpointTests
{
    [Theory]
    [InlineData("unix:///run/docker.sock", EndpointKind.Unix, "/run/docker.sock", 0)]
    [InlineData("tcp://127.0.0.1:2375", EndpointKind.Tcp, "127.0.0.1:2375", 2375)]
    [InlineData("tcp://docker.example:9999/", EndpointKind.Tcp, "docker.example:9999", 9999)]
    [InlineData("tcp://10.0.0.5", EndpointKind.Tcp, "10.0.0.5:2375", 2375)]
    [InlineData("npipe:////./pipe/docker_engine", EndpointKind.NamedPipe, "docker_engine", 0)]
    public void Parses_docker_host_forms(string text, EndpointKind kind, string address, int port)
    {
        var endpoint = Endpoint.Parse(text);

        Assert.Equal(kind, endpoint.Kind);
        Assert.Equal(address, endpoint.Address);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(text, endpoint.ToString());
    }

    [Theory]
    [InlineData("/run/docker.sock")]
    [InlineData("unix://")]
    [InlineData("tcp://")]
    [InlineData("npipe:////./notapipe")]
    public void Rejects_malformed_hosts_with_a_stable_id(string text)
    {
        var error = Assert.Throws<BuildxException>(() => Endpoint.Parse(text));

        Assert.Equal(ErrorIds.InvalidDockerHost, error.ErrorId);
        Assert.Equal(BuildxErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("unix:///", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_unknown_schemes_and_lists_the_accepted_ones()
    {
        var error = Assert.Throws<BuildxException>(() => Endpoint.Parse("ssh://user@host"));

        Assert.Equal(ErrorIds.UnsupportedDockerHostScheme, error.ErrorId);
        Assert.Contains("ssh", error.Message, StringComparison.Ordinal);
        Assert.Contains("tcp://", error.Message, StringComparison.Ordinal);
    }
}
