using Buildx.Core.Docker;
using Buildx.Core.Drivers.Remote;

namespace Buildx.Core.Kubernetes;

/// <summary>
/// Dials a remote node's <c>kube-pod://</c> endpoint: an exec of <c>buildctl dial-stdio</c> in the
/// named pod through the Kubernetes API, as BuildKit's kube-pod connection helper does with
/// kubectl. Namespace and container default to the kubeconfig context's namespace and the pod's
/// default container.
/// </summary>
public sealed class KubernetesPodDialer(IEnvironment environment) : IKubePodDialer
{
    private static readonly string[] DialStdioCommand = ["buildctl", "dial-stdio"];

    public async Task<Stream> DialAsync(RemoteEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var connection = KubernetesConnection.Open(null, endpoint.Context, environment);
        try
        {
            var stream = await PodExecStream.OpenAsync(
                connection.Client,
                endpoint.Namespace ?? connection.DefaultNamespace,
                endpoint.Target!,
                endpoint.Container ?? string.Empty,
                DialStdioCommand,
                null,
                cancellationToken).ConfigureAwait(false);
            return stream.Owning(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
