using Buildx.Core.Transport;

namespace Buildx.Core.Docker;

/// <summary>
/// The Docker engine a command talks to, and why that one: <see cref="Source"/> says whether it
/// came from DOCKER_HOST, a Docker context or the platform default, so errors can say what to check.
/// </summary>
public sealed record DockerContext(string Name, Endpoint Host, string Source, bool SkipTlsVerify = false, string? TlsDirectory = null)
{
    public const string DefaultName = "default";

    /// <summary>
    /// The key buildx files the current builder under: the context name, or for the
    /// <c>default</c> context its host.
    /// </summary>
    public string StoreKey => Name == DefaultName ? Host.Original : Name;
}
