namespace Buildx.Core.Builders;

/// <summary>
/// A node's status and, when it is not running, why (where the driver can tell), with the error id of
/// that reason. A running kubernetes node also names its running pods.
/// </summary>
public sealed record NodeStatusReport(NodeStatus Status, string? Reason = null, string? ReasonId = null, IReadOnlyList<BuilderPod>? Pods = null);
