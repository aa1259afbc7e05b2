using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Builders;

/// <summary>Removing one node's daemon, as buildx's <c>rm</c> does per node: stop it, then remove it.</summary>
internal static class NodeDaemon
{
    /// <returns>The failure, or null when the daemon (and, unless kept, its state) is gone.</returns>
    public static async Task<BuildxException?> RemoveAsync(DriverFactory drivers, BuilderDefinition builder, NodeDefinition node, bool keepState, bool keepDaemon, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var driver = drivers.Create(builder, node);
            if (!keepDaemon)
            {
                await driver.StopAsync(deadline.Token).ConfigureAwait(false);
            }

            await driver.RemoveAsync(keepState, keepDaemon, deadline.Token).ConfigureAwait(false);
            return null;
        }
        catch (BuildxException ex)
        {
            return ex;
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new BuildxException(ErrorIds.NodeStatusTimeout, BuildxErrorKind.OperationTimeout, $"its engine did not answer within {timeout.TotalSeconds:0.#} s", node.Name, ex);
        }
    }
}
