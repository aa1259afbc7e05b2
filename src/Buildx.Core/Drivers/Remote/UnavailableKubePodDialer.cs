using Buildx.Core.Errors;

namespace Buildx.Core.Drivers.Remote;

/// <summary>Until the Kubernetes driver's exec is plugged in, kube-pod:// endpoints are stored but not dialed.</summary>
internal sealed class UnavailableKubePodDialer : IKubePodDialer
{
    public static UnavailableKubePodDialer Instance { get; } = new();

    public Task<Stream> DialAsync(RemoteEndpoint endpoint, CancellationToken cancellationToken) =>
        throw new BuildxException(
            ErrorIds.KubePodEndpointNotAvailable,
            BuildxErrorKind.NotImplemented,
            $"The endpoint '{endpoint}' reaches BuildKit in pod '{endpoint.Target}' through a Kubernetes exec, which arrives with the Kubernetes driver in a later version of this module. The endpoint is stored as buildx stores it; until then use unix://, tcp:// or docker-container:// endpoints.",
            endpoint.Original);
}
