using System.Text.RegularExpressions;
using Buildx.Core.Errors;
using Buildx.Core.Transport;

namespace Buildx.Core.Drivers.Remote;

/// <summary>
/// A remote node's endpoint as buildx stores it (the string is kept byte for byte), parsed the way
/// buildx and BuildKit's connection helpers read it.
/// </summary>
public sealed partial record RemoteEndpoint
{
    public const string AcceptedForms = "unix:///path/to/buildkitd.sock, tcp://host:port, npipe:////./pipe/name, docker-container://<container>[?context=<docker context>], kube-pod://<pod>[?namespace=<ns>&context=<kube context>&container=<container>]";

    private RemoteEndpoint(RemoteEndpointKind kind, string original)
    {
        Kind = kind;
        Original = original;
    }

    public RemoteEndpointKind Kind { get; }

    /// <summary>The endpoint exactly as given and stored.</summary>
    public string Original { get; }

    /// <summary>The socket to dial for unix://, tcp:// and npipe://.</summary>
    public Endpoint? Socket { get; private init; }

    /// <summary>The URL's host name: the TLS server name when <c>servername</c> is not set (empty for unix://).</summary>
    public string HostName { get; private init; } = string.Empty;

    /// <summary>docker-container://: the container; kube-pod://: the pod.</summary>
    public string? Target { get; private init; }

    /// <summary>The <c>context</c> query parameter: a Docker context (docker-container://) or a kubeconfig context (kube-pod://).</summary>
    public string? Context { get; private init; }

    /// <summary>kube-pod://: the <c>namespace</c> query parameter.</summary>
    public string? Namespace { get; private init; }

    /// <summary>kube-pod://: the <c>container</c> query parameter.</summary>
    public string? Container { get; private init; }

    /// <summary>True for schemes that reach BuildKit over a socket, where the TLS options apply.</summary>
    public bool IsSocket => Kind is RemoteEndpointKind.Unix or RemoteEndpointKind.Tcp or RemoteEndpointKind.NamedPipe;

    public override string ToString() => Original;

    /// <summary>Parses and checks an endpoint; a bad one is an <see cref="ErrorIds.InvalidEndpoint"/> error naming what is wrong.</summary>
    public static RemoteEndpoint Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            throw Invalid(value, "it has no scheme");
        }

        var scheme = value[..schemeEnd];
        var rest = value[(schemeEnd + 3)..];
        switch (scheme)
        {
            case "unix":
                return new RemoteEndpoint(RemoteEndpointKind.Unix, value) { Socket = ParseSocket(value) };
            case "npipe":
                return new RemoteEndpoint(RemoteEndpointKind.NamedPipe, value) { Socket = ParseSocket(value) };
            case "tcp":
                return ParseTcp(value, rest);
            case "docker-container":
                return ParseDockerContainer(value, rest);
            case "kube-pod":
                return ParseKubePod(value, rest);
            case "ssh":
                return new RemoteEndpoint(RemoteEndpointKind.Ssh, value) { HostName = HostOf(rest) };
            default:
                throw new BuildxException(
                    ErrorIds.InvalidEndpoint,
                    BuildxErrorKind.InvalidArgument,
                    $"The remote endpoint '{value}' uses the scheme '{scheme}', which is not a BuildKit address. Accepted: {AcceptedForms}.",
                    value);
        }
    }

    private static Endpoint ParseSocket(string value) => Endpoint.Parse(value, ErrorIds.InvalidEndpoint);

    private static RemoteEndpoint ParseTcp(string value, string rest)
    {
        var authority = rest.Split('/', 2)[0];
        if (!Uri.TryCreate("tcp://" + authority, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw Invalid(value, "the host or port cannot be read");
        }

        // BuildKit dials host:port as given: there is no default port.
        if (uri.IsDefaultPort || uri.Port <= 0)
        {
            throw Invalid(value, "it has no port (a BuildKit address has no default port; buildkitd usually listens on 1234)");
        }

        return new RemoteEndpoint(RemoteEndpointKind.Tcp, value)
        {
            Socket = Endpoint.Parse(value, ErrorIds.InvalidEndpoint),
            HostName = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host,
        };
    }

    private static RemoteEndpoint ParseDockerContainer(string value, string rest)
    {
        var (host, query) = SplitQuery(value, rest);
        if (host.Length == 0)
        {
            throw Invalid(value, "the container name is missing (docker-container://<container>)");
        }

        return new RemoteEndpoint(RemoteEndpointKind.DockerContainer, value)
        {
            Target = host,
            Context = NullIfEmpty(query.GetValueOrDefault("context")),
        };
    }

    private static RemoteEndpoint ParseKubePod(string value, string rest)
    {
        var (pod, query) = SplitQuery(value, rest);
        var ns = NullIfEmpty(query.GetValueOrDefault("namespace"));
        var container = NullIfEmpty(query.GetValueOrDefault("container"));
        if (ns is not null && !KubeIdentifier().IsMatch(ns))
        {
            throw Invalid(value, $"unsupported namespace name \"{ns}\" (Kubernetes names are lower-case letters, digits, '-' and '.')");
        }

        if (pod.Length == 0)
        {
            throw Invalid(value, "the pod name is missing (kube-pod://<pod>)");
        }

        if (!KubeIdentifier().IsMatch(pod))
        {
            throw Invalid(value, $"unsupported pod name \"{pod}\" (Kubernetes names are lower-case letters, digits, '-' and '.')");
        }

        if (container is not null && !KubeIdentifier().IsMatch(container))
        {
            throw Invalid(value, $"unsupported container name \"{container}\" (Kubernetes names are lower-case letters, digits, '-' and '.')");
        }

        return new RemoteEndpoint(RemoteEndpointKind.KubePod, value)
        {
            Target = pod,
            Namespace = ns,
            Container = container,

            // As BuildKit: the context is not checked (kubeconfig context names may hold '@' or ':').
            Context = NullIfEmpty(query.GetValueOrDefault("context")),
        };
    }

    /// <summary>The URL's host and its query parameters (the first value of each, as Go's <c>Query().Get</c>).</summary>
    private static (string Host, Dictionary<string, string> Query) SplitQuery(string value, string rest)
    {
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var authority = (queryStart < 0 ? rest : rest[..queryStart]).Split('#', 2)[0].TrimEnd('/');
        if (authority.Contains('/', StringComparison.Ordinal))
        {
            throw Invalid(value, "a path is not expected after the name");
        }

        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (queryStart >= 0)
        {
            foreach (var pair in rest[(queryStart + 1)..].Split('#', 2)[0].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
                var item = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
                query.TryAdd(key, item);
            }
        }

        return (HostOf(authority), query);
    }

    /// <summary>Go's <c>url.Hostname()</c>: no user info, no port, no IPv6 brackets.</summary>
    private static string HostOf(string authority)
    {
        var host = authority.Split('/', 2)[0];
        var at = host.LastIndexOf('@');
        if (at >= 0)
        {
            host = host[(at + 1)..];
        }

        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? host[1..close] : host;
        }

        var colon = host.LastIndexOf(':');
        return colon >= 0 ? host[..colon] : host;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static BuildxException Invalid(string value, string why) => new(
        ErrorIds.InvalidEndpoint,
        BuildxErrorKind.InvalidArgument,
        $"The remote endpoint '{value}' is not valid: {why}. Accepted: {AcceptedForms}.",
        value);

    [GeneratedRegex("^[-a-z0-9.]+$", RegexOptions.CultureInvariant)]
    private static partial Regex KubeIdentifier();
}
