using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Errors;
using Buildx.Core.Kubernetes;

namespace Buildx.Core.Drivers;

/// <summary>Creates the driver for one node of a builder.</summary>
public sealed class DriverFactory(DockerContextResolver contexts, IEnvironment? environment = null)
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
            case KubernetesDriver.DriverName:
                return CreateKubernetes(builder, node);
            default:
                throw new BuildxException(
                    ErrorIds.DriverNotSupported,
                    BuildxErrorKind.NotImplemented,
                    $"The builder '{builder.Name}' uses the driver '{builder.Driver}', which this version of the module cannot drive yet. Supported drivers: {DockerDriver.DriverName}, {DockerContainerDriver.DriverName}, {KubernetesDriver.DriverName}.",
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

    private string[] TestBinds() =>
        environment?.GetVariable(TestContainerBindsVariable) is { Length: > 0 } binds
            ? binds.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
}
