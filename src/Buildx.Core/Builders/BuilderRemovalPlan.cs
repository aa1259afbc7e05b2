namespace Buildx.Core.Builders;

/// <summary>Exactly what removing a builder deletes: its store files, then per node its container and volume.</summary>
public sealed record BuilderRemovalPlan
{
    public required string BuilderName { get; init; }

    public required string Driver { get; init; }

    /// <summary>The store files that go: the instance entry, its activity stamp and its build records.</summary>
    public required IReadOnlyList<string> StorePaths { get; init; }

    public required IReadOnlyList<NodeRemovalPlan> Nodes { get; init; }

    public string Describe() => string.Join(
        '\n',
        [$"Remove builder '{BuilderName}' (driver {Driver}):", "  store entries " + string.Join(", ", StorePaths), .. Nodes.Select(node => "  " + node.Describe())]);
}
