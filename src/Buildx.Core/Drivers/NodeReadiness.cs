using Buildx.Core.Builders;
using Buildx.Core.Errors;

namespace Buildx.Core.Drivers;

/// <summary>The check every node operation starts with: the node must be running.</summary>
internal static class NodeReadiness
{
    public static async Task EnsureRunningAsync(this IDriver driver, BuilderDefinition builder, NodeDefinition node, CancellationToken cancellationToken)
    {
        var report = await driver.GetStatusReportAsync(cancellationToken).ConfigureAwait(false);
        var status = report.Status;
        if (status != NodeStatus.Running && report.Reason is not null)
        {
            // The driver knows why (a remote daemon's TLS check failed, say): that error, with its id.
            throw new BuildxException(
                report.ReasonId ?? ErrorIds.NodeNotRunning,
                BuildxErrorKind.ConnectionError,
                $"Node '{node.Name}' of builder '{builder.Name}' cannot be reached: {report.Reason}",
                node.Name);
        }

        if (status != NodeStatus.Running)
        {
            throw new BuildxException(
                ErrorIds.NodeNotRunning,
                BuildxErrorKind.ResourceUnavailable,
                $"Node '{node.Name}' of builder '{builder.Name}' is {status.ToString().ToLowerInvariant()}; start it with Start-BuildxBuilder first.",
                node.Name);
        }
    }

    /// <summary>
    /// What a build does first, as buildx's build does: a node that is not running is booted
    /// (its container created and started), reporting the steps; a node whose status cannot be
    /// read fails as before.
    /// </summary>
    public static async Task EnsureBootedAsync(this IDriver driver, BuilderDefinition builder, NodeDefinition node, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var status = await driver.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (status is NodeStatus.Inactive or NodeStatus.Stopped)
        {
            await driver.BootstrapAsync(progress, cancellationToken).ConfigureAwait(false);
            status = await driver.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        }

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
