namespace Buildx.Core.Builders;

/// <summary>A builder as configured: a stored instance, or the one a Docker context implies.</summary>
public sealed record BuilderDefinition
{
    public required string Name { get; init; }

    public required string Driver { get; init; }

    public required IReadOnlyList<NodeDefinition> Nodes { get; init; }

    /// <summary>True for the builder each Docker context provides (such as <c>default</c>).</summary>
    public bool IsDockerContext { get; init; }

    public DateTimeOffset? LastActivity { get; init; }
}
