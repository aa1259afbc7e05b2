using Buildx.Core.Errors;

namespace Buildx.Core.Transport;

/// <summary>How an endpoint is reached: a unix socket, a TCP port or a Windows named pipe.</summary>
public enum EndpointKind
{
    Unix,
    Tcp,
    NamedPipe,
}

/// <summary>
/// A parsed socket address in Docker's URL forms: <c>unix:///run/docker.sock</c>,
/// <c>tcp://host:2375</c>, <c>npipe:////./pipe/docker_engine</c>.
/// </summary>
public sealed record Endpoint(EndpointKind Kind, string Address, string Host, int Port, string Original)
{
    public const int DefaultDockerTcpPort = 2375;
    public const int DefaultDockerTlsPort = 2376;

    public override string ToString() => Original;

    /// <summary>Parses a Docker host URL; <paramref name="errorId"/> names the setting in errors.</summary>
    public static Endpoint Parse(string value, string errorId = ErrorIds.InvalidDockerHost)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            throw Invalid(value, errorId, "it has no scheme");
        }

        var scheme = text[..schemeEnd].ToLowerInvariant();
        var rest = text[(schemeEnd + 3)..];
        switch (scheme)
        {
            case "unix":
                if (rest.Length == 0)
                {
                    throw Invalid(value, errorId, "the socket path is empty");
                }

                return new Endpoint(EndpointKind.Unix, rest, "localhost", 0, value);
            case "npipe":
                // npipe:////./pipe/docker_engine → \\.\pipe\docker_engine
                var pipe = rest.Replace('/', '\\');
                var marker = pipe.IndexOf("\\pipe\\", StringComparison.OrdinalIgnoreCase);
                if (marker < 0 || marker + 6 >= pipe.Length)
                {
                    throw Invalid(value, errorId, "a named pipe address looks like npipe:////./pipe/docker_engine");
                }

                var server = pipe[..marker].Trim('\\');
                return new Endpoint(EndpointKind.NamedPipe, pipe[(marker + 6)..], server.Length == 0 ? "." : server, 0, value);
            case "tcp":
            case "http":
            case "https":
                return ParseTcp(value, rest, scheme == "https" ? DefaultDockerTlsPort : DefaultDockerTcpPort, errorId);
            default:
                throw new BuildxException(
                    ErrorIds.UnsupportedDockerHostScheme,
                    BuildxErrorKind.InvalidArgument,
                    $"The endpoint '{value}' uses the scheme '{scheme}', which is not supported. Use unix://<socket path>, tcp://<host>:<port> or npipe:////./pipe/<name>.",
                    value);
        }
    }

    private static Endpoint ParseTcp(string original, string rest, int defaultPort, string errorId)
    {
        var authority = rest.Split('/', 2)[0];
        if (authority.Length == 0)
        {
            throw Invalid(original, errorId, "the host is empty");
        }

        if (!Uri.TryCreate("tcp://" + authority, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw Invalid(original, errorId, "the host or port cannot be read");
        }

        var port = uri.IsDefaultPort || uri.Port <= 0 ? defaultPort : uri.Port;
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        return new Endpoint(EndpointKind.Tcp, $"{uri.Host}:{port}", host, port, original);
    }

    private static BuildxException Invalid(string value, string errorId, string why) => new(
        errorId,
        BuildxErrorKind.InvalidArgument,
        $"The endpoint '{value}' is not valid: {why}. Accepted forms: unix:///path/to/socket, tcp://host:port, npipe:////./pipe/name.",
        value);
}
