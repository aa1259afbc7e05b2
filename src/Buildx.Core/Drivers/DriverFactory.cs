using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Errors;

namespace Buildx.Core.Drivers;

/// <summary>Creates the driver for one node of a builder.</summary>
public sealed class DriverFactory(DockerContextResolver contexts)
{
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
                var options = DockerContainerDriverOptions.Parse(node.DriverOptions);
                return new DockerContainerDriver(new DockerEngineClient(ResolveEngine(builder, node)), node.Name, options, node.BuildkitdFlags);
            default:
                throw new BuildxException(
                    ErrorIds.DriverNotSupported,
                    BuildxErrorKind.NotImplemented,
                    $"The builder '{builder.Name}' uses the driver '{builder.Driver}', which this version of the module cannot drive yet. Supported drivers: {DockerDriver.DriverName}, {DockerContainerDriver.DriverName}.",
                    builder.Driver);
        }
    }

    /// <summary>A docker or docker-container node's endpoint is a Docker context name, or a docker host URL.</summary>
    private DockerContext ResolveEngine(BuilderDefinition builder, NodeDefinition node)
        => node.Endpoint.Contains("://", StringComparison.Ordinal)
            ? new DockerContext(DockerContext.DefaultName, Transport.Endpoint.Parse(node.Endpoint), $"builder '{builder.Name}'")
            : contexts.Resolve(node.Endpoint, $"builder '{builder.Name}'");
}
