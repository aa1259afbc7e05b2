using Buildx.Core.Docker;
using Buildx.Core.Errors;
using k8s;
using k8s.Exceptions;

namespace Buildx.Core.Kubernetes;

/// <summary>
/// A client for the cluster a kubernetes node lives in: the kubeconfig (the endpoint's
/// <c>kubeconfig=</c>, else <c>KUBECONFIG</c>, else <c>~/.kube/config</c>, else in-cluster), the
/// context (the endpoint's, else the kubeconfig's current one) and its namespace.
/// </summary>
public sealed class KubernetesConnection : IDisposable
{
    private KubernetesConnection(IKubernetes client, string defaultNamespace, string description)
    {
        Client = client;
        DefaultNamespace = defaultNamespace;
        Description = description;
    }

    public IKubernetes Client { get; }

    /// <summary>The context's namespace, or <c>default</c>.</summary>
    public string DefaultNamespace { get; }

    /// <summary>The server and context, for messages.</summary>
    public string Description { get; }

    public static KubernetesConnection Open(string? kubeconfigPath, string? context, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var paths = KubeconfigPaths(kubeconfigPath, environment);
        try
        {
            KubernetesClientConfiguration configuration;
            if (paths.Count > 0)
            {
                configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFiles.Load(paths), context);
            }
            else if (InClusterConfiguration.IsAvailable(environment))
            {
                configuration = InClusterConfiguration.Load(environment);
            }
            else
            {
                throw new BuildxException(
                    ErrorIds.KubeconfigInvalid,
                    BuildxErrorKind.ObjectNotFound,
                    $"No kubeconfig was found: give -KubeConfig, set KUBECONFIG, or create {Path.Combine(environment.HomeDirectory, ".kube", "config")} (in a pod, the service account mounted at {environment.ServiceAccountDirectory} is used).",
                    kubeconfigPath);
            }

            var ns = string.IsNullOrEmpty(configuration.Namespace) ? "default" : configuration.Namespace;
            return new KubernetesConnection(new k8s.Kubernetes(configuration), ns, $"{configuration.Host}{(context is null ? string.Empty : $" (context {context})")}");
        }
        catch (Exception ex) when (ex is KubeConfigException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or YamlDotNet.Core.YamlException or System.Security.Cryptography.CryptographicException)
        {
            throw new BuildxException(
                ErrorIds.KubeconfigInvalid,
                BuildxErrorKind.InvalidArgument,
                $"Cannot use the kubeconfig {(paths.Count > 0 ? string.Join(Path.PathSeparator, paths) : $"(in-cluster, {environment.ServiceAccountDirectory})")}{(context is null ? string.Empty : $" with context '{context}'")}: {ex.Message}",
                kubeconfigPath ?? context,
                ex);
        }
    }

    /// <summary>The files a kubeconfig is read from: an explicit path, else every file in <c>KUBECONFIG</c>, else the default.</summary>
    public static IReadOnlyList<string> KubeconfigPaths(string? explicitPath, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return [explicitPath];
        }

        if (environment.GetVariable("KUBECONFIG") is { Length: > 0 } variable)
        {
            return variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Where(File.Exists).ToArray();
        }

        var fallback = Path.Combine(environment.HomeDirectory, ".kube", "config");
        return File.Exists(fallback) ? [fallback] : [];
    }

    /// <summary>The context names in the kubeconfig, for completion.</summary>
    public static IReadOnlyList<string> ListContexts(string? kubeconfigPath, IEnvironment environment)
    {
        try
        {
            var paths = KubeconfigPaths(kubeconfigPath, environment);
            return paths.Count == 0
                ? []
                : KubeconfigFiles.Load(paths).Contexts?.Select(c => c.Name).ToArray() ?? [];
        }
        catch (Exception ex) when (ex is KubeConfigException or IOException or YamlDotNet.Core.YamlException)
        {
            return [];
        }
    }

    public void Dispose() => Client.Dispose();
}
