namespace Buildx.Core.Builds.Options;

/// <summary>
/// One SSH forwarding (<c>--ssh</c>): the id a Dockerfile's <c>RUN --mount=type=ssh,id=...</c> asks
/// for and what is behind it: one agent socket (or Windows named pipe), or private key files that
/// an in-process agent serves. No paths means the default agent.
/// </summary>
public sealed record SshSpec(string Id, IReadOnlyList<string> Paths)
{
    public const string DefaultId = "default";

    /// <summary>The passphrase (UTF-8) of the entry's encrypted key files; null when none was given. Never printed.</summary>
    public byte[]? Passphrase { get; init; }

    public override string ToString() => Paths.Count == 0 ? Id : $"{Id}={string.Join(',', Paths)}";
}
