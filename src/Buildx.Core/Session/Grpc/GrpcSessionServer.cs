using Buildx.Core.Session.Http2;

namespace Buildx.Core.Session.Grpc;

/// <summary>
/// The gRPC server a client hosts inside a BuildKit session: the daemon is the HTTP/2 client on the
/// session's byte tunnel and calls the methods of a <see cref="GrpcServiceRegistry"/> (FileSync, Auth,
/// Secrets, Health...). Each call runs concurrently on its own task.
/// </summary>
public sealed class GrpcSessionServer
{
    private readonly GrpcServiceRegistry registry;

    public GrpcSessionServer(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        this.registry = registry;
    }

    /// <summary>
    /// Serves one HTTP/2 connection on <paramref name="transport"/> (which the caller keeps owning).
    /// Completes when the peer closes the connection or sends GOAWAY; throws
    /// <see cref="OperationCanceledException"/> on cancellation (after a GOAWAY) and
    /// <see cref="IOException"/> when the peer breaks the protocol or the transport fails. Calls still
    /// running at the end are cancelled and awaited.
    /// </summary>
    public Task ServeAsync(Stream transport, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var connection = new Http2ServerConnection(transport, stream => GrpcStreamDispatcher.ServeAsync(stream, registry));
        return FrameReaderThread.Run(() => connection.RunAsync(cancellationToken));
    }
}
