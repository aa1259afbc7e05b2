namespace Buildx.Core.Builds.Options;

/// <summary>
/// One SSH forwarding (<c>--ssh</c>): the id a Dockerfile's <c>RUN --mount=type=ssh,id=...</c> asks
/// for and the agent sockets (or Windows named pipes) behind it. No paths means the default agent.
/// </summary>
public sealed record SshSpec(string Id, IReadOnlyList<string> Paths)
{
    public const string DefaultId = "default";

    public override string ToString() => Paths.Count == 0 ? Id : $"{Id}={string.Join(',', Paths)}";
}
