namespace Buildx.Core.Registry;

/// <summary>Registry host names as the Docker CLI keys them in <c>config.json</c>.</summary>
public static class RegistryHost
{
    /// <summary>The key Docker Hub's login is stored under.</summary>
    public const string DockerHubKey = "https://index.docker.io/v1/";

    /// <summary>
    /// The bare host of a registry address (<c>https://reg:5000/v2/</c> → <c>reg:5000</c>); Docker
    /// Hub's names all map to <see cref="DockerHubKey"/>.
    /// </summary>
    public static string Normalize(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var host = address.Trim();
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            host = host[..slash];
        }

        host = host.ToLowerInvariant();
        return host is "docker.io" or "index.docker.io" or "registry-1.docker.io" ? DockerHubKey : host;
    }

    /// <summary>The registry host of an image reference (<c>reg:5000/app:1</c> → <c>reg:5000</c>; <c>app</c> → Docker Hub).</summary>
    public static string OfImage(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return DockerHubKey;
        }

        var first = reference[..slash];
        // As the Docker CLI: a first component is a host only with a dot, a port, or "localhost".
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"
            ? Normalize(first)
            : DockerHubKey;
    }
}
