namespace Buildx.Core.Builders;

/// <summary>
/// A node's state, with buildx's names (<c>inactive</c>, <c>running</c>, ...). <see cref="Error"/>
/// is what <c>docker buildx ls</c> shows when the status could not be read.
/// </summary>
public enum NodeStatus
{
    Unknown,
    Inactive,
    Starting,
    Running,
    Stopping,
    Stopped,
    Error,
}
