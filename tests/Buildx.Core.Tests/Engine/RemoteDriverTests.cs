using System.Diagnostics;
using Buildx.Core.Builders;
using Buildx.Core.Builds;
using Buildx.Core.Drivers.Remote;
using Buildx.Core.Errors;
using Buildx.TestRelay;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// The remote driver against the engine's real BuildKit: through the relay over a unix socket and
/// TCP, through <c>buildctl dial-stdio</c> in the stand-in container, and what dead or not-yet
/// available endpoints report.
/// </summary>
public sealed class RemoteDriverTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Builds_through_a_unix_socket_endpoint()
    {
        await using var relay = BuildkitRelay.StartUnix(EngineFixture.Context, Path.Combine(directory.Path, "buildkitd.sock"));

        var (exported, expected, result, events) = await RemoteNodes.BuildThroughAsync(directory, RemoteNodes.Builder(relay.Address));

        Assert.Equal(expected, exported);
        Assert.Equal("remotetest0", result.Node);
        Assert.DoesNotContain(events, e => e is BuildWarningEvent);
        Assert.True(relay.Connections > 0);
    }

    [Theory]
    [InlineData("unix:///run/buildkit/buildkitd.sock", null, true)]
    [InlineData("tcp://127.0.0.1:1234", null, true)]
    [InlineData("tcp://127.0.0.1:1234", "tls", false)]
    [InlineData("docker-container://buildkitd", null, false)]
    [InlineData("kube-pod://buildkitd-0", null, false)]
    public void Plain_unix_and_tcp_endpoints_carry_the_session_on_a_polled_socket_of_their_own(string endpoint, string? tls, bool polled)
    {
        var options = tls is null ? null : new Dictionary<string, string> { ["cacert"] = directory.Write("ca.pem", "unused") };
        var builder = RemoteNodes.Builder(endpoint, options);

        using var driver = RemoteNodes.Factory(directory.Path).Create(builder, builder.Nodes[0]);

        Assert.Equal(polled, driver.SessionDialer is not null);
    }

    [Fact]
    public async Task Builds_through_a_plain_tcp_endpoint_and_warns_that_anyone_can_use_it()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context);

        var (exported, expected, _, events) = await RemoteNodes.BuildThroughAsync(directory, RemoteNodes.Builder(relay.Address));

        Assert.Equal(expected, exported);
        var warning = Assert.Single(events.OfType<BuildWarningEvent>());
        Assert.Contains("anyone who can reach that port can use the BuildKit daemon", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_is_running_when_ListWorkers_answers()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context);
        var loader = new BuilderLoader(RemoteNodes.Factory(directory.Path));

        var node = (await loader.LoadAsync([RemoteNodes.Builder(relay.Address)], null, TimeSpan.FromSeconds(20), CancellationToken.None))[0].Nodes[0];

        Assert.Equal(NodeStatus.Running, node.Status);
        Assert.Equal(["moby"], node.WorkerIds);
        Assert.Contains("linux/amd64", node.Platforms);
        Assert.Null(node.StatusReason);
    }

    [Fact]
    public async Task A_dead_endpoint_is_inactive_with_the_reason()
    {
        var socket = Path.Combine(directory.Path, "nobody-listens.sock");
        var loader = new BuilderLoader(RemoteNodes.Factory(directory.Path));

        var node = (await loader.LoadAsync([RemoteNodes.Builder("unix://" + socket)], null, TimeSpan.FromSeconds(20), CancellationToken.None))[0].Nodes[0];

        Assert.Equal(NodeStatus.Inactive, node.Status);
        Assert.Equal(ErrorIds.BuildkitUnreachable, node.StatusReasonId);
        Assert.Contains(socket, node.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_that_accepts_but_never_answers_does_not_hang_past_the_timeout()
    {
        // A listener that accepts connections and never speaks: the worst case for a status load.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var endpoint = $"tcp://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}";
        var loader = new BuilderLoader(RemoteNodes.Factory(directory.Path));
        var clock = Stopwatch.StartNew();

        var node = (await loader.LoadAsync([RemoteNodes.Builder(endpoint)], null, TimeSpan.FromSeconds(2), CancellationToken.None))[0].Nodes[0];

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(6));
        Assert.Equal(NodeStatus.Error, node.Status);
        Assert.Equal(ErrorIds.NodeStatusTimeout, node.ErrorId);
    }

    [Fact]
    public async Task Builds_and_reads_disk_usage_through_buildctl_dial_stdio_in_a_container()
    {
        // The stand-in container is started by a docker-container node; the remote driver only execs in it.
        await using var standin = await StandinNode.CreateAsync();
        using (var starter = standin.CreateDriver())
        {
            await starter.BootstrapAsync(null, CancellationToken.None);
        }

        var builder = RemoteNodes.Builder("docker-container://" + standin.ContainerName);
        var (exported, expected, _, events) = await RemoteNodes.BuildThroughAsync(directory, builder);
        var usage = await new Buildx.Core.Cache.DiskUsageQuery(RemoteNodes.Factory(directory.Path)).RunAsync(builder, [], CancellationToken.None);

        Assert.Equal(expected, exported);
        Assert.DoesNotContain(events, e => e is BuildWarningEvent);
        Assert.NotEmpty(usage);
    }

    [Fact]
    public async Task A_missing_container_is_inactive_with_the_engine_s_reason()
    {
        var loader = new BuilderLoader(RemoteNodes.Factory(directory.Path));

        var node = (await loader.LoadAsync([RemoteNodes.Builder("docker-container://no_such_buildkit_" + Guid.NewGuid().ToString("N")[..8])], null, TimeSpan.FromSeconds(20), CancellationToken.None))[0].Nodes[0];

        Assert.Equal(NodeStatus.Inactive, node.Status);
        Assert.Equal(ErrorIds.ContainerNotFound, node.StatusReasonId);
    }

    [Fact]
    public async Task A_kube_pod_endpoint_without_a_kubeconfig_is_inactive_with_that_reason()
    {
        var builder = RemoteNodes.Builder("kube-pod://buildkitd-0?namespace=ci&container=buildkitd");
        var loader = new BuilderLoader(RemoteNodes.Factory(directory.Path));

        var node = (await loader.LoadAsync([builder], null, TimeSpan.FromSeconds(20), CancellationToken.None))[0].Nodes[0];
        using var driver = RemoteNodes.Factory(directory.Path).Create(builder, builder.Nodes[0]);
        var error = await Assert.ThrowsAsync<BuildxException>(() => driver.BootstrapAsync(null, CancellationToken.None));

        Assert.Equal(NodeStatus.Inactive, node.Status);
        Assert.Equal(ErrorIds.KubeconfigInvalid, node.StatusReasonId);
        Assert.Equal(ErrorIds.KubeconfigInvalid, error.ErrorId);
        Assert.Contains("kubeconfig", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_kube_pod_dialer_plugged_into_the_factory_carries_the_connection()
    {
        // The seam the Kubernetes driver fills: here a dialer that reaches the relay, so the gRPC calls are real.
        await using var relay = BuildkitRelay.StartUnix(EngineFixture.Context, Path.Combine(directory.Path, "pod.sock"));
        var pods = new RelayPodDialer(relay.Address);
        var factory = new Buildx.Core.Drivers.DriverFactory(
            new Buildx.Core.Docker.DockerContextResolver(new Buildx.Core.Docker.FixedEnvironment(new Dictionary<string, string>(), directory.Path)), null, pods);
        var builder = RemoteNodes.Builder("kube-pod://buildkitd-0?namespace=ci");

        var node = (await new BuilderLoader(factory).LoadAsync([builder], null, TimeSpan.FromSeconds(20), CancellationToken.None))[0].Nodes[0];

        Assert.Equal(NodeStatus.Running, node.Status);
        Assert.Equal("buildkitd-0", pods.LastPod);
        Assert.Equal("ci", pods.LastNamespace);
    }

    private sealed class RelayPodDialer(string address) : IKubePodDialer
    {
        public string? LastPod { get; private set; }

        public string? LastNamespace { get; private set; }

        public Task<Stream> DialAsync(RemoteEndpoint endpoint, CancellationToken cancellationToken)
        {
            LastPod = endpoint.Target;
            LastNamespace = endpoint.Namespace;
            return RemoteDriver.DialSocketAsync(RemoteEndpoint.Parse(address), cancellationToken);
        }
    }
}
