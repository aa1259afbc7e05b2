using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Builders;

/// <summary>A node removal (buildx's <c>create --leave</c>) that has been worked out and holds the store lock.</summary>
public sealed class PendingNodeRemoval : IDisposable
{
    private readonly BuilderManager manager;
    private readonly NodeGroup group;
    private readonly BuilderDefinition definition;
    private readonly NodeDefinition node;
    private readonly bool keepState;
    private readonly bool keepDaemon;
    private BuilderStoreTransaction? transaction;

    internal PendingNodeRemoval(BuilderManager manager, BuilderStoreTransaction transaction, NodeLeavePlan plan, NodeGroup group, BuilderDefinition definition, NodeDefinition node, bool keepState, bool keepDaemon)
    {
        this.manager = manager;
        this.transaction = transaction;
        Plan = plan;
        this.group = group;
        this.definition = definition;
        this.node = node;
        this.keepState = keepState;
        this.keepDaemon = keepDaemon;
    }

    public NodeLeavePlan Plan { get; }

    /// <summary>
    /// Removes the node's daemon first: if that fails the store is left unchanged, so the removal
    /// can be retried (or done with <c>-KeepDaemon</c>). A node whose driver cannot be made at all
    /// has nothing to remove.
    /// </summary>
    /// <returns>The stored builder as it is now.</returns>
    public async Task<BuilderDefinition> CommitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var store = transaction ?? throw new ObjectDisposedException(nameof(PendingNodeRemoval));
        if (Plan.Node.Problem is null
            && await NodeDaemon.RemoveAsync(manager.Drivers, definition, node, keepState, keepDaemon, timeout, cancellationToken).ConfigureAwait(false) is { } failure)
        {
            throw new BuildxException(
                ErrorIds.NodeRemovalFailed,
                failure.Kind,
                $"The daemon of node '{node.Name}' of builder '{group.Name}' could not be removed, so the node was kept: {failure.Message} (-KeepDaemon removes the node from the builder only).",
                node.Name,
                failure);
        }

        group.Leave(node.Name);
        store.RemoveNodeState(group.Name, node.Name);
        store.Save(group);
        // The PEM files this module wrote for the node's certificate objects go with it.
        var certificates = Drivers.Remote.RemoteCertificateFiles.DirectoryFor(store.Root, group.Name, node.Name);
        if (Directory.Exists(certificates))
        {
            Directory.Delete(certificates, recursive: true);
        }

        Dispose();
        return BuilderCatalog.FromGroup(group, group.LastActivity);
    }

    public void Dispose()
    {
        transaction?.Dispose();
        transaction = null;
    }
}
