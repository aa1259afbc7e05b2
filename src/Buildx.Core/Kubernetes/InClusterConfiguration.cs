using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Buildx.Core.Docker;
using k8s;
using k8s.Authentication;
using k8s.Exceptions;

namespace Buildx.Core.Kubernetes;

/// <summary>
/// The cluster a pod's own service account reaches, found as client-go's <c>rest.InClusterConfig</c>
/// finds it: <c>https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT</c>, trusted through the
/// mounted <c>ca.crt</c>, with the mounted token (read again as it rotates) and namespace. buildx
/// falls back to it when no kubeconfig exists, so a CI job that runs in a pod can make builders.
/// Read through <see cref="IEnvironment"/>, so no real pod is needed to test it.
/// </summary>
internal static class InClusterConfiguration
{
    public const string DefaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    private const string HostVariable = "KUBERNETES_SERVICE_HOST";
    private const string PortVariable = "KUBERNETES_SERVICE_PORT";

    /// <summary>True inside a pod: both variables are set and the token and CA are mounted.</summary>
    public static bool IsAvailable(IEnvironment environment) =>
        !string.IsNullOrEmpty(environment.GetVariable(HostVariable))
        && !string.IsNullOrEmpty(environment.GetVariable(PortVariable))
        && File.Exists(Path.Combine(environment.ServiceAccountDirectory, "token"))
        && File.Exists(Path.Combine(environment.ServiceAccountDirectory, "ca.crt"));

    public static KubernetesClientConfiguration Load(IEnvironment environment)
    {
        var directory = environment.ServiceAccountDirectory;
        var host = environment.GetVariable(HostVariable)!;
        var portText = environment.GetVariable(PortVariable)!;
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is 0 or > 65535)
        {
            throw new KubeConfigException($"{PortVariable} is '{portText}', not a port number");
        }

        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(Path.Combine(directory, "ca.crt"));
        if (authorities.Count == 0)
        {
            throw new KubeConfigException($"{Path.Combine(directory, "ca.crt")} holds no PEM certificate");
        }

        var configuration = new KubernetesClientConfiguration
        {
            // UriBuilder brackets an IPv6 service address.
            Host = new UriBuilder(Uri.UriSchemeHttps, host, port).ToString(),
            TokenProvider = new TokenFileAuth(Path.Combine(directory, "token")),
            SslCaCerts = authorities,
        };
        var namespaceFile = Path.Combine(directory, "namespace");
        if (File.Exists(namespaceFile))
        {
            configuration.Namespace = File.ReadAllText(namespaceFile).Trim();
        }

        return configuration;
    }
}
