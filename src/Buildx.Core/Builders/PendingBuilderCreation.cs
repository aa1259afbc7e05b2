using Buildx.Core.Drivers;
using Buildx.Core.Drivers.Remote;
using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Builders;

/// <summary>
/// A create that has been worked out and holds the store lock. <see cref="CommitAsync"/> saves
/// it, checks every node can be loaded (rolling back if not, as buildx does), releases the lock,
/// and with <see cref="BuilderChangePlan.Bootstrap"/> starts the nodes, rolling everything back
/// if that fails. Disposing without committing abandons it.
/// </summary>
public sealed class PendingBuilderCreation : IDisposable
{
    private readonly BuilderManager manager;
    private readonly NodeGroup updated;
    private readonly NodeGroup? original;
    private readonly IReadOnlyList<PendingFile> files;
    private BuilderStoreTransaction? transaction;

    internal PendingBuilderCreation(BuilderManager manager, BuilderStoreTransaction transaction, BuilderChangePlan plan, NodeGroup updated, NodeGroup? original, IReadOnlyList<PendingFile> files)
    {
        this.files = files;
        this.manager = manager;
        this.transaction = transaction;
        Plan = plan;
        this.updated = updated;
        this.original = original;
    }

    public BuilderChangePlan Plan { get; }

    /// <returns>The builder as stored now.</returns>
    /// <param name="statusTimeout">For loading the nodes' status after saving (buildx's <c>--timeout</c>).</param>
    /// <param name="progress">Bootstrap steps.</param>
    public async Task<BuilderDefinition> CommitAsync(TimeSpan statusTimeout, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var store = transaction ?? throw new ObjectDisposedException(nameof(PendingBuilderCreation));
        RemoteCertificateFiles.Write(files);
        store.Save(updated);
        var definition = BuilderCatalog.FromGroup(updated, updated.LastActivity);
        var loaded = (await manager.Loader.LoadAsync([definition], null, statusTimeout, cancellationToken).ConfigureAwait(false))[0];
        if (loaded.Nodes.FirstOrDefault(n => n.Status == NodeStatus.Error) is { } failed)
        {
            RestoreStore(store);
            throw new BuildxException(
                ErrorIds.BuilderInitializationFailed,
                BuildxErrorKind.InvalidOperation,
                $"failed to initialize builder {updated.Name} ({failed.Name}): {failed.Error}",
                updated.Name);
        }

        if (Plan.Use && !Plan.Bootstrap)
        {
            store.SetCurrent(Plan.CurrentKey, updated.Name, global: false, isDefault: false);
        }

        // As buildx: the lock is not held while booting.
        Dispose();
        if (!Plan.Bootstrap)
        {
            return definition;
        }

        var inactiveBefore = loaded.Nodes.Where(n => n.Status == NodeStatus.Inactive).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var existingVolumes = await FindExistingVolumesAsync(definition, cancellationToken).ConfigureAwait(false);
        try
        {
            await manager.BootstrapAsync(definition, progress, BuilderManager.DefaultBootstrapTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BuildxException or OperationCanceledException)
        {
            await RollBackBootstrapAsync(definition, inactiveBefore, existingVolumes).ConfigureAwait(false);
            if (ex is BuildxException failure)
            {
                var what = Plan.Kind == BuilderChangeKind.CreateBuilder ? "was not created" : "was left as it was";
                throw new BuildxException(failure.ErrorId, failure.Kind, $"Builder '{updated.Name}' {what}, because starting it failed: {failure.Message}", failure.Target, failure);
            }

            throw;
        }

        if (Plan.Use)
        {
            using var selection = await manager.OpenStore().BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            selection.SetCurrent(Plan.CurrentKey, updated.Name, global: false, isDefault: false);
        }

        return definition;
    }

    public void Dispose()
    {
        transaction?.Dispose();
        transaction = null;
    }

    private void RestoreStore(BuilderStoreTransaction store)
    {
        RemoteCertificateFiles.Delete(files);
        if (original is null)
        {
            store.Remove(updated.Name);
        }
        else
        {
            store.Save(original);
        }
    }

    /// <summary>State volumes that exist before booting: a rollback must not delete state it did not create.</summary>
    private async Task<HashSet<string>> FindExistingVolumesAsync(BuilderDefinition definition, CancellationToken cancellationToken)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in definition.Nodes)
        {
            using var driver = manager.Drivers.Create(definition, node);
            if (driver is DockerContainerDriver container && await container.StateVolumeExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                existing.Add(node.Name);
            }
        }

        return existing;
    }

    /// <summary>
    /// Undoes a create whose bootstrap failed: daemons this bootstrap created are removed (state
    /// volumes too, unless they were there before), and the store goes back to how it was.
    /// </summary>
    private async Task RollBackBootstrapAsync(BuilderDefinition definition, HashSet<string> inactiveBefore, HashSet<string> existingVolumes)
    {
        var originalNodes = new HashSet<string>((original?.Nodes ?? []).Select(n => n.Name), StringComparer.Ordinal);
        foreach (var node in definition.Nodes.Where(n => inactiveBefore.Contains(n.Name) && !originalNodes.Contains(n.Name)))
        {
            try
            {
                using var driver = manager.Drivers.Create(definition, node);
                await driver.RemoveAsync(keepState: existingVolumes.Contains(node.Name), keepDaemon: false, CancellationToken.None).ConfigureAwait(false);
            }
            catch (BuildxException)
            {
                // The bootstrap error is the one to report; a half-made container is visible to Get-BuildxBuilder.
            }
        }

        using var store = manager.OpenStore().BeginTransaction(CancellationToken.None);
        RestoreStore(store);
    }
}
