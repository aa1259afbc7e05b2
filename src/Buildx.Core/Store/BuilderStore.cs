using Buildx.Core.Configuration;
using Buildx.Core.Docker;

namespace Buildx.Core.Store;

/// <summary>
/// buildx's builder store: the directory <c>docker buildx</c> keeps its builders in
/// (<c>$BUILDX_CONFIG</c>, else <c>~/.docker/buildx</c>). Everything is read and written inside a
/// transaction, which holds the same exclusive lock buildx takes, so this module and a concurrent
/// <c>docker buildx</c> never see each other's half-done changes.
/// </summary>
/// <example>
/// <code>
/// var store = BuilderStore.Open(ProcessEnvironment.Instance);
/// using var txn = store.BeginTransaction(cancellationToken);
/// var builders = txn.List();
/// </code>
/// </example>
public sealed class BuilderStore
{
    private BuilderStore(string root) => Root = root;

    /// <summary>The store directory.</summary>
    public string Root { get; }

    /// <summary>The store buildx would use in this environment.</summary>
    public static BuilderStore Open(IEnvironment environment) => Open(BuildxConfigDirectory.Resolve(environment));

    /// <summary>
    /// Opens the store at <paramref name="root"/>, creating <c>instances/</c>, <c>defaults/</c> and
    /// <c>activity/</c> (0700) as buildx's <c>store.New</c> does. <c>refs/</c> is made when first needed.
    /// </summary>
    public static BuilderStore Open(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var store = new BuilderStore(Path.GetFullPath(root));
        StoreDirectories.Create(Path.Combine(store.Root, StoreDirectories.Instances));
        StoreDirectories.Create(Path.Combine(store.Root, StoreDirectories.Defaults));
        StoreDirectories.Create(Path.Combine(store.Root, StoreDirectories.Activity));
        return store;
    }

    internal string LockPath => Path.Combine(Root, ".lock");

    /// <summary>Waits for the store lock (as long as it takes, or until cancelled) and starts a transaction.</summary>
    public BuilderStoreTransaction BeginTransaction(CancellationToken cancellationToken = default) =>
        new(this, StoreLock.Acquire(LockPath, timeout: null, cancellationToken));

    /// <summary>As <see cref="BeginTransaction(CancellationToken)"/>, but gives up after
    /// <paramref name="timeout"/> with a <c>StoreLocked</c> error.</summary>
    public BuilderStoreTransaction BeginTransaction(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        new(this, StoreLock.Acquire(LockPath, timeout, cancellationToken));

    public async Task<BuilderStoreTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default) =>
        new(this, await StoreLock.AcquireAsync(LockPath, timeout: null, cancellationToken).ConfigureAwait(false));

    /// <summary>Starts a transaction only if nobody holds the lock now.</summary>
    public bool TryBeginTransaction(out BuilderStoreTransaction? transaction)
    {
        var held = StoreLock.TryAcquire(LockPath);
        transaction = held is null ? null : new BuilderStoreTransaction(this, held);
        return transaction is not null;
    }
}
