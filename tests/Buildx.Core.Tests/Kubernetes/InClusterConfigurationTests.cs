using System.Globalization;
using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Kubernetes;
using Buildx.Core.Tests.Engine;
using Buildx.KubeApiDouble;
using Buildx.TestRelay;

namespace Buildx.Core.Tests.Kubernetes;

/// <summary>
/// A builder made from inside a pod: no kubeconfig, so the pod's service account (token, CA and
/// namespace under its mount, the API server from KUBERNETES_SERVICE_HOST/PORT) reaches the API
/// double over HTTPS, for the REST calls and for the exec WebSocket alike.
/// </summary>
public sealed class InClusterConfigurationTests : IAsyncLifetime
{
    private readonly TempDirectory directory = new();
    private readonly TestCertificates certificates = TestCertificates.Create();
    private KubeApiServer server = null!;
    private string serviceAccount = null!;

    public async Task InitializeAsync()
    {
        server = await KubeApiServer.StartAsync(EngineFixture.Context.Host.Address, certificate: certificates.Server);
        server.Cluster.AddNamespace("ci-builds");
        serviceAccount = Path.Combine(directory.Path, "serviceaccount");
        Directory.CreateDirectory(serviceAccount);
        File.WriteAllText(Path.Combine(serviceAccount, "token"), "double-token");
        File.WriteAllText(Path.Combine(serviceAccount, "ca.crt"), certificates.Authority.ExportCertificatePem());
        File.WriteAllText(Path.Combine(serviceAccount, "namespace"), "ci-builds");
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        certificates.Dispose();
        directory.Dispose();
    }

    [Fact]
    public async Task Without_a_kubeconfig_a_pod_uses_its_service_account_over_https()
    {
        Assert.StartsWith("https://", server.Url, StringComparison.Ordinal);
        var environment = InPod();
        var factory = new DriverFactory(new DockerContextResolver(environment), environment);
        var builder = new BuilderDefinition
        {
            Name = "incluster",
            Driver = KubernetesDriver.DriverName,
            Nodes = [new NodeDefinition { Name = "incluster0", Endpoint = KubernetesEndpoint.Create("incluster", null, null).ToString() }],
        };

        using (var driver = factory.Create(builder, builder.Nodes[0]))
        {
            await driver.BootstrapAsync(null, CancellationToken.None);
        }

        // The namespace comes from the mount; ListWorkers went through the pod's exec WebSocket.
        Assert.NotNull(server.Cluster.Get(ResourceKind.Deployments, "ci-builds", "incluster0"));
        var node = (await new BuilderLoader(factory).LoadAsync([builder], null, TimeSpan.FromSeconds(20), CancellationToken.None))[0].Nodes[0];
        Assert.Equal(NodeStatus.Running, node.Status);
        Assert.NotEmpty(node.WorkerIds);
        Assert.Single(node.Pods);
    }

    [Fact]
    public void Outside_a_pod_or_with_a_broken_mount_the_error_says_what_was_tried()
    {
        var home = Path.Combine(directory.Path, "home");
        var outside = new FixedEnvironment(new Dictionary<string, string>(), home, serviceAccount);
        var unmounted = new FixedEnvironment(PodVariables(), home, Path.Combine(directory.Path, "no-mount"));

        var none = Assert.Throws<BuildxException>(() => KubernetesConnection.Open(null, null, outside));
        var noMount = Assert.Throws<BuildxException>(() => KubernetesConnection.Open(null, null, unmounted));
        var badPort = Assert.Throws<BuildxException>(() => KubernetesConnection.Open(null, null, InPod("https")));
        File.WriteAllText(Path.Combine(serviceAccount, "ca.crt"), "not a certificate\n");
        var badAuthority = Assert.Throws<BuildxException>(() => KubernetesConnection.Open(null, null, InPod()));

        Assert.Equal((ErrorIds.KubeconfigInvalid, BuildxErrorKind.ObjectNotFound), (none.ErrorId, none.Kind));
        Assert.Contains("service account mounted at " + serviceAccount, none.Message, StringComparison.Ordinal);
        Assert.Equal((ErrorIds.KubeconfigInvalid, BuildxErrorKind.ObjectNotFound), (noMount.ErrorId, noMount.Kind));
        Assert.Equal((ErrorIds.KubeconfigInvalid, BuildxErrorKind.InvalidArgument), (badPort.ErrorId, badPort.Kind));
        Assert.Contains("KUBERNETES_SERVICE_PORT is 'https', not a port number", badPort.Message, StringComparison.Ordinal);
        Assert.Equal((ErrorIds.KubeconfigInvalid, BuildxErrorKind.InvalidArgument), (badAuthority.ErrorId, badAuthority.Kind));
        Assert.Contains("holds no PEM certificate", badAuthority.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.96.0.1", "443", "https://10.96.0.1:443/")]
    [InlineData("fd00:10:96::1", "6443", "https://[fd00:10:96::1]:6443/")]
    public void The_service_address_becomes_the_https_server_and_the_mounted_namespace_the_default(string host, string port, string expected)
    {
        var environment = new FixedEnvironment(
            new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = host, ["KUBERNETES_SERVICE_PORT"] = port },
            Path.Combine(directory.Path, "home"),
            serviceAccount);

        var configuration = InClusterConfiguration.Load(environment);

        Assert.Equal(expected, configuration.Host);
        Assert.Equal("ci-builds", configuration.Namespace);
        Assert.Equal(certificates.Authority.Thumbprint, Assert.Single(configuration.SslCaCerts).Thumbprint);
    }

    private FixedEnvironment InPod(string? port = null) => new(PodVariables(port), Path.Combine(directory.Path, "home"), serviceAccount);

    /// <summary>What the kubelet sets in every container: the API server's service address.</summary>
    private Dictionary<string, string> PodVariables(string? port = null) => new()
    {
        ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1",
        ["KUBERNETES_SERVICE_PORT"] = port ?? new Uri(server.Url).Port.ToString(CultureInfo.InvariantCulture),
    };
}
