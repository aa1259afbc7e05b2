using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Builders;

/// <summary>
/// A builder removal that has been worked out and holds the store lock (for the whole removal, as
/// buildx's <c>rm</c>). Disposing without committing abandons it.
/// </summary>
public sealed class PendingBuilderRemoval : IDisposable
{
    private readonly BuilderManager manager;
    private readonly BuilderDefinition definition;
    private readonly bool keepState;
    private readonly bool keepDaemon;
    private BuilderStoreTransaction? transaction;

    internal PendingBuilderRemoval(BuilderManager manager, BuilderStoreTransaction transaction, BuilderRemovalPlan plan, BuilderDefinition definition, bool keepState, bool keepDaemon)
    {
        this.manager = manager;
        this.transaction = transaction;
        Plan = plan;
        this.definition = definition;
        this.keepState = keepState;
        this.keepDaemon = keepDaemon;
    }

    public BuilderRemovalPlan Plan { get; }

    /// <summary>
    /// Stops and removes each node's daemon, then deletes the store entry, as buildx does: the entry
    /// goes even when a node's engine could not be reached.
    /// </summary>
    /// <returns>What failed on the nodes' engines (each a <see cref="ErrorIds.NodeRemovalFailed"/> error), and
    /// warnings for nodes whose driver could not even be made (nothing of theirs could be looked for).</returns>
    public async Task<BuilderRemovalResult> CommitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var store = transaction ?? throw new ObjectDisposedException(nameof(PendingBuilderRemoval));
        var failures = new List<BuildxException>();
        var warnings = new List<string>();
        foreach (var node in definition.Nodes)
        {
            var plan = Plan.Nodes.First(n => n.Name == node.Name);
            if (plan.Problem is not null)
            {
                // With -KeepDaemon nothing was to be removed on the engine anyway.
                if (keepDaemon)
                {
                    continue;
                }

                warnings.Add($"Node '{node.Name}' of builder '{definition.Name}' had no usable driver settings, so nothing of it was removed on its engine: {plan.Problem}");
                continue;
            }

            var failure = await NodeDaemon.RemoveAsync(manager.Drivers, definition, node, keepState, keepDaemon, timeout, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                failures.Add(NodeFailure(node.Name, failure.Message, failure));
            }
        }

        store.Remove(definition.Name);

        // Certificates written for a remote builder's certificate objects go with it.
        foreach (var certificates in Plan.StorePaths.Where(path => Path.GetFileName(Path.GetDirectoryName(path)) == Drivers.Remote.RemoteCertificateFiles.DirectoryName && Directory.Exists(path)))
        {
            Directory.Delete(certificates, recursive: true);
        }

        Dispose();
        return new BuilderRemovalResult(failures, warnings);
    }

    public void Dispose()
    {
        transaction?.Dispose();
        transaction = null;
    }

    private BuildxException NodeFailure(string nodeName, string reason, Exception? inner) => new(
        ErrorIds.NodeRemovalFailed,
        BuildxErrorKind.ResourceUnavailable,
        $"Builder '{definition.Name}' was removed from the store, but the daemon of its node '{nodeName}' could not be removed: {reason}",
        nodeName,
        inner);
}
