namespace Buildx.Core.Drivers.Remote;

/// <summary>
/// Opens a <c>buildctl dial-stdio</c> connection in a Kubernetes pod for a <c>kube-pod://</c>
/// endpoint (<see cref="RemoteEndpoint.Target"/> is the pod; namespace, context and container
/// come from its query). The Kubernetes driver plugs its exec in here.
/// </summary>
public interface IKubePodDialer
{
    Task<Stream> DialAsync(RemoteEndpoint endpoint, CancellationToken cancellationToken);
}
