namespace Buildx.Core.Builders;

/// <summary>What removing a node from a builder does (buildx's <c>create --leave</c>, plus its daemon).</summary>
public sealed record NodeLeavePlan
{
    public required string BuilderName { get; init; }

    public required string StorePath { get; init; }

    /// <summary>The node's build records, <c>refs/&lt;builder&gt;/&lt;node&gt;</c>, which go with it.</summary>
    public required string RefsPath { get; init; }

    public required NodeRemovalPlan Node { get; init; }

    public string Describe() =>
        $"Remove node '{Node.Name}' from builder '{BuilderName}': update the store entry {StorePath}, delete the build records {RefsPath}\n  {Node.Describe()}";
}
