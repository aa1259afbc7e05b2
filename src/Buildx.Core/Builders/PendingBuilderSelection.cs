using Buildx.Core.Store;

namespace Buildx.Core.Builders;

/// <summary>A <c>use</c> that has been worked out and holds the store lock.</summary>
public sealed class PendingBuilderSelection : IDisposable
{
    private BuilderStoreTransaction? transaction;

    internal PendingBuilderSelection(BuilderStoreTransaction transaction, BuilderSelectionPlan plan)
    {
        this.transaction = transaction;
        Plan = plan;
    }

    public BuilderSelectionPlan Plan { get; }

    public void Commit()
    {
        var store = transaction ?? throw new ObjectDisposedException(nameof(PendingBuilderSelection));
        store.SetCurrent(Plan.Key, Plan.BuilderName, Plan.Global, Plan.IsDefault);
        Dispose();
    }

    public void Dispose()
    {
        transaction?.Dispose();
        transaction = null;
    }
}
