namespace Buildx.Core.Builders;

/// <summary>
/// A builder with its nodes' status: the object <c>Get-BuildxBuilder</c> emits and other
/// cmdlets accept from the pipeline (they resolve it again by <see cref="Name"/>).
/// </summary>
public sealed record Builder
{
    public required string Name { get; init; }

    public required string Driver { get; init; }

    public bool IsCurrent { get; init; }

    public bool IsDockerContext { get; init; }

    public DateTimeOffset? LastActivity { get; init; }

    public required IReadOnlyList<BuilderNode> Nodes { get; init; }

    /// <summary>
    /// As buildx's <c>Dynamic</c>: every node is a kubernetes node with running pods, so the builder's
    /// real nodes are those pods (see <see cref="BuilderNode.Pods"/>), which come and go with the cluster.
    /// </summary>
    public bool Dynamic { get; init; }

    /// <summary>A builder-level failure, such as a driver that cannot be created.</summary>
    public string? Error { get; init; }
}
