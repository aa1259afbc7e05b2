namespace Buildx.Core.Store;

/// <summary>
/// What <c>create</c> asks <see cref="NodeGroup.Update"/> to change: the arguments of buildx's
/// <c>NodeGroup.Update</c>. A null collection means "not given", which leaves an existing node's
/// value alone; an empty one replaces it.
/// </summary>
public sealed record NodeUpdate
{
    /// <summary><c>--node</c>; null or empty picks the next free <c>&lt;builder&gt;N</c>.</summary>
    public string? NodeName { get; init; }

    public string Endpoint { get; init; } = string.Empty;

    /// <summary>True when the endpoint came from the user (an argument or <c>BUILDKIT_HOST</c>), so it replaces an existing node's.</summary>
    public bool EndpointIsExplicit { get; init; }

    /// <summary><c>--platform</c> values; each may be comma-separated, <c>local</c> is the host.</summary>
    public IReadOnlyList<string>? Platforms { get; init; }

    /// <summary><c>--append</c>: add a node rather than change an existing one.</summary>
    public bool Append { get; init; }

    public IReadOnlyList<string>? BuildkitdFlags { get; init; }

    /// <summary>Files loaded from <c>--buildkitd-config</c>; null when no config file was given.</summary>
    public IReadOnlyDictionary<string, byte[]>? ConfigFiles { get; init; }

    public IReadOnlyDictionary<string, string>? DriverOptions { get; init; }
}
