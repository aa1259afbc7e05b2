namespace Buildx.Core.Builders;

/// <summary>What a create request does to the store.</summary>
public enum BuilderChangeKind
{
    /// <summary>A new builder with its first node.</summary>
    CreateBuilder,

    /// <summary>A node added to an existing builder.</summary>
    AppendNode,

    /// <summary>An existing node's settings replaced.</summary>
    UpdateNode,
}
