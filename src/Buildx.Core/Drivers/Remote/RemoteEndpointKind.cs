namespace Buildx.Core.Drivers.Remote;

/// <summary>The BuildKit address schemes buildx's remote driver accepts.</summary>
public enum RemoteEndpointKind
{
    /// <summary><c>unix:///path/to/buildkitd.sock</c>.</summary>
    Unix,

    /// <summary><c>tcp://host:port</c>, plain or with TLS.</summary>
    Tcp,

    /// <summary><c>npipe:////./pipe/buildkitd</c> (Windows).</summary>
    NamedPipe,

    /// <summary><c>docker-container://&lt;container&gt;[?context=&lt;docker context&gt;]</c>: <c>buildctl dial-stdio</c> run in the container.</summary>
    DockerContainer,

    /// <summary><c>kube-pod://&lt;pod&gt;?namespace=&amp;context=&amp;container=</c>: <c>buildctl dial-stdio</c> run in the pod.</summary>
    KubePod,

    /// <summary><c>ssh://[user@]host[:port][/socket]</c>: accepted in the store, not dialed by this module.</summary>
    Ssh,
}
