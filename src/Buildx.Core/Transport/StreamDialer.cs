namespace Buildx.Core.Transport;

/// <summary>
/// Opens a fresh duplex byte stream to a BuildKit daemon. Every driver reduces to one of these:
/// a socket, an Engine API upgrade, a container exec or a Kubernetes exec.
/// </summary>
public delegate Task<Stream> StreamDialer(CancellationToken cancellationToken);
