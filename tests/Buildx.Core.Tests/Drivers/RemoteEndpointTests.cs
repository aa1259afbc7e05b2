using Buildx.Core.Drivers.Remote;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Drivers;

/// <summary>BuildKit addresses as buildx's remote driver and BuildKit's connection helpers read them.</summary>
public class RemoteEndpointTests
{
    [Fact]
    public void Reads_socket_endpoints()
    {
        var unix = RemoteEndpoint.Parse("unix:///run/buildkit/buildkitd.sock");
        Assert.Equal(RemoteEndpointKind.Unix, unix.Kind);
        Assert.Equal("/run/buildkit/buildkitd.sock", unix.Socket!.Address);
        Assert.Equal(string.Empty, unix.HostName);

        var tcp = RemoteEndpoint.Parse("tcp://buildkitd.example:1234");
        Assert.Equal(RemoteEndpointKind.Tcp, tcp.Kind);
        Assert.Equal(("buildkitd.example", 1234), (tcp.Socket!.Host, tcp.Socket.Port));
        Assert.Equal("buildkitd.example", tcp.HostName);
        Assert.Equal("tcp://buildkitd.example:1234", tcp.Original);

        Assert.Equal("::1", RemoteEndpoint.Parse("tcp://[::1]:1234").HostName);
        Assert.Equal(RemoteEndpointKind.NamedPipe, RemoteEndpoint.Parse("npipe:////./pipe/buildkitd").Kind);
    }

    [Fact]
    public void A_tcp_endpoint_needs_a_port()
    {
        var error = Assert.Throws<BuildxException>(() => RemoteEndpoint.Parse("tcp://buildkitd.example"));
        Assert.Equal(ErrorIds.InvalidEndpoint, error.ErrorId);
        Assert.Contains("no port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_docker_container_endpoints_with_their_context()
    {
        var plain = RemoteEndpoint.Parse("docker-container://buildkitd");
        Assert.Equal((RemoteEndpointKind.DockerContainer, "buildkitd", (string?)null), (plain.Kind, plain.Target, plain.Context));

        var withContext = RemoteEndpoint.Parse("docker-container://my_buildkit?context=remote-engine");
        Assert.Equal(("my_buildkit", "remote-engine"), (withContext.Target, withContext.Context));
        Assert.False(withContext.IsSocket);

        Assert.Equal(ErrorIds.InvalidEndpoint, Assert.Throws<BuildxException>(() => RemoteEndpoint.Parse("docker-container://")).ErrorId);
    }

    [Fact]
    public void Reads_and_checks_kube_pod_endpoints()
    {
        var pod = RemoteEndpoint.Parse("kube-pod://buildkitd-0?namespace=ci&context=admin@prod&container=buildkitd");
        Assert.Equal(RemoteEndpointKind.KubePod, pod.Kind);
        Assert.Equal(("buildkitd-0", "ci", "admin@prod", "buildkitd"), (pod.Target, pod.Namespace, pod.Context, pod.Container));

        Assert.Null(RemoteEndpoint.Parse("kube-pod://buildkitd-0").Namespace);
        Assert.Contains("unsupported pod name", Assert.Throws<BuildxException>(() => RemoteEndpoint.Parse("kube-pod://BuildKit")).Message, StringComparison.Ordinal);
        Assert.Contains("unsupported namespace name", Assert.Throws<BuildxException>(() => RemoteEndpoint.Parse("kube-pod://buildkitd?namespace=CI_ns")).Message, StringComparison.Ordinal);
        Assert.Contains("unsupported container name", Assert.Throws<BuildxException>(() => RemoteEndpoint.Parse("kube-pod://buildkitd?container=a_b")).Message, StringComparison.Ordinal);
        Assert.Contains("pod name is missing", Assert.Throws<BuildxException>(() => RemoteEndpoint.Parse("kube-pod://?namespace=ci")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_other_schemes_listing_the_accepted_ones()
    {
        var error = Assert.Throws<BuildxException>(() => RemoteEndpoint.Parse("http://buildkitd:1234"));
        Assert.Equal(ErrorIds.InvalidEndpoint, error.ErrorId);
        Assert.Contains("kube-pod://", error.Message, StringComparison.Ordinal);
        Assert.Equal(RemoteEndpointKind.Ssh, RemoteEndpoint.Parse("ssh://me@builder:2222").Kind);
    }
}
