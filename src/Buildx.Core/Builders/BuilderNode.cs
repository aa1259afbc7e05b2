namespace Buildx.Core.Builders;

/// <summary>
/// A builder node with its loaded status: what <c>docker buildx ls</c> prints on a node row.
/// Plain data, so it serializes cleanly and survives the pipeline.
/// </summary>
public sealed record BuilderNode
{
    public required string Name { get; init; }

    public required string Endpoint { get; init; }

    public NodeStatus Status { get; init; }

    /// <summary>BuildKit's version from <c>Info</c>, else the driver's estimate; "unknown" where neither exists.</summary>
    public string BuildkitVersion { get; init; } = string.Empty;

    /// <summary>Declared platforms first, then those the workers report, without repeats.</summary>
    public IReadOnlyList<string> Platforms { get; init; } = [];

    /// <summary>Platforms the user declared for the node; buildx marks them with <c>*</c>.</summary>
    public IReadOnlyList<string> DeclaredPlatforms { get; init; } = [];

    /// <summary>Labels of the node's first worker (executor, hostname, snapshotter, ...).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> WorkerIds { get; init; } = [];

    public IReadOnlyDictionary<string, string> DriverOptions { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> BuildkitdFlags { get; init; } = [];

    /// <summary>
    /// The running pods behind a kubernetes node, sorted by name (buildx's dynamic nodes): a build
    /// reaches one of them, chosen by the <c>loadbalance</c> option. Empty for other drivers.
    /// </summary>
    public IReadOnlyList<BuilderPod> Pods { get; init; } = [];

    /// <summary>Why the node is not running, where the driver can tell (a remote daemon that did not answer, and why).</summary>
    public string? StatusReason { get; init; }

    /// <summary>The error id behind <see cref="StatusReason"/>, for scripts (TlsUnknownAuthority, BuildkitUnreachable, ...).</summary>
    public string? StatusReasonId { get; init; }

    /// <summary>Why the status could not be read, when <see cref="Status"/> is <see cref="NodeStatus.Error"/>.</summary>
    public string? Error { get; init; }

    /// <summary>The error id behind <see cref="Error"/>, for scripts.</summary>
    public string? ErrorId { get; init; }
}
