using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Drivers.Remote;
using Buildx.Core.Errors;
using Buildx.Core.Kubernetes;

namespace Buildx.Core.Drivers;

/// <summary>Creates the driver for one node of a builder.</summary>
/// <param name="kubePodDialer">How kube-pod:// endpoints are dialed; by default a Kubernetes exec of <c>buildctl dial-stdio</c> in the pod.</param>
public sealed class DriverFactory(DockerContextResolver contexts, IEnvironment? environment = null, IKubePodDialer? kubePodDialer = null)
{
    /// <summary>
    /// Test-only: extra <c>source:target[:options]</c> binds, separated by <c>;</c>, for every
    /// docker-container node's container. The test suites set it so the BuildKit stand-in image
    /// reaches the engine's socket; it is not a driver option and is never stored.
    /// </summary>
    public const string TestContainerBindsVariable = "BUILDX_POWERSHELL_TEST_CONTAINER_BINDS";

    public IDriver Create(BuilderDefinition builder, NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(node);
        switch (builder.Driver)
        {
            case DockerDriver.DriverName:
                return new DockerDriver(new DockerEngineClient(ResolveEngine(builder, node)));
            case DockerContainerDriver.DriverName:
                // Options first: a bad option should fail before anything connects.
                var options = DockerContainerDriverOptions.Parse(node.DriverOptions) with { ExtraBinds = TestBinds() };
                return new DockerContainerDriver(new DockerEngineClient(ResolveEngine(builder, node)), node.Name, options, node.BuildkitdFlags, node.ConfigFiles);
            case RemoteDriver.DriverName:
                return CreateRemote(builder, node);
            case KubernetesDriver.DriverName:
                return CreateKubernetes(builder, node);
            default:
                throw new BuildxException(
                    ErrorIds.DriverNotSupported,
                    BuildxErrorKind.NotImplemented,
                    $"The builder '{builder.Name}' uses the driver '{builder.Driver}', which this version of the module cannot drive yet. Supported drivers: {DockerDriver.DriverName}, {DockerContainerDriver.DriverName}, {KubernetesDriver.DriverName}, {RemoteDriver.DriverName}.",
                    builder.Driver);
        }
    }

    /// <summary>A kubernetes node: its cluster from the endpoint's kubeconfig and context (else KUBECONFIG or ~/.kube/config).</summary>
    private KubernetesDriver CreateKubernetes(BuilderDefinition builder, NodeDefinition node)
    {
        var options = KubernetesDriverOptions.Parse(node.DriverOptions);
        var endpoint = KubernetesEndpoint.TryParse(node.Endpoint);
        var connection = KubernetesConnection.Open(endpoint?.KubeconfigPath, endpoint?.Context, environment ?? ProcessEnvironment.Instance);
        return new KubernetesDriver(connection, node.Name, options, node.BuildkitdFlags, node.ConfigFiles, node.Platforms);
    }

    /// <summary>A docker or docker-container node's endpoint is a Docker context name, or a docker host URL.</summary>
    internal DockerContext ResolveEngine(BuilderDefinition builder, NodeDefinition node)
        => node.Endpoint.Contains("://", StringComparison.Ordinal)
            ? new DockerContext(DockerContext.DefaultName, Transport.Endpoint.Parse(node.Endpoint), $"builder '{builder.Name}'")
            : contexts.Resolve(node.Endpoint, $"builder '{builder.Name}'");

    /// <summary>The endpoint and options are checked first: a bad one fails before anything connects.</summary>
    private RemoteDriver CreateRemote(BuilderDefinition builder, NodeDefinition node)
    {
        var endpoint = RemoteEndpoint.Parse(node.Endpoint);
        var options = RemoteDriverOptions.Parse(node.DriverOptions);
        switch (endpoint.Kind)
        {
            case RemoteEndpointKind.DockerContainer:
                var engine = new DockerEngineClient(endpoint.Context is { } context
                    ? contexts.Resolve(context, $"the endpoint of node '{node.Name}' of builder '{builder.Name}'")
                    : contexts.ResolveCurrent());
                var exec = new DockerExec(engine);
                return new RemoteDriver(endpoint, options, ct => ContainerDialStdio.DialAsync(exec, endpoint.Target!, null, ct), engine);
            case RemoteEndpointKind.KubePod:
                var pods = kubePodDialer ?? new Kubernetes.KubernetesPodDialer(environment ?? ProcessEnvironment.Instance);
                return new RemoteDriver(endpoint, options, ct => pods.DialAsync(endpoint, ct));
            case RemoteEndpointKind.Ssh:
                return new RemoteDriver(endpoint, options, _ => throw SshNotSupported(endpoint));
            default:
                return new RemoteDriver(endpoint, options, ct => RemoteDriver.DialSocketAsync(endpoint, ct));
        }
    }

    internal static BuildxException SshNotSupported(RemoteEndpoint endpoint) => new(
        ErrorIds.RemoteSchemeNotSupported,
        BuildxErrorKind.NotImplemented,
        $"The endpoint '{endpoint}' reaches BuildKit through the ssh command, which this module does not run (it never shells out). Forward the daemon's socket yourself (ssh -L /tmp/buildkitd.sock:/run/buildkit/buildkitd.sock <host>) and use unix:///tmp/buildkitd.sock, or use tcp:// with TLS.",
        endpoint.Original);

    private string[] TestBinds() =>
        environment?.GetVariable(TestContainerBindsVariable) is { Length: > 0 } binds
            ? binds.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
}
