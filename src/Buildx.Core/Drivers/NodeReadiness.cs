using Buildx.Core.Builders;
using Buildx.Core.Errors;

namespace Buildx.Core.Drivers;

/// <summary>The check every node operation starts with: the node must be running.</summary>
internal static class NodeReadiness
{
    public static async Task EnsureRunningAsync(this IDriver driver, BuilderDefinition builder, NodeDefinition node, CancellationToken cancellationToken)
    {
        var status = await driver.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (status != NodeStatus.Running)
        {
            throw new BuildxException(
                ErrorIds.NodeNotRunning,
                BuildxErrorKind.ResourceUnavailable,
                $"Node '{node.Name}' of builder '{builder.Name}' is {status.ToString().ToLowerInvariant()}; start it with Start-BuildxBuilder first.",
                node.Name);
        }
    }
}
