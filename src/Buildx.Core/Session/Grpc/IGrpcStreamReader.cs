namespace Buildx.Core.Session.Grpc;

/// <summary>Reads the messages a peer sends on one gRPC call; null marks the end of its stream.</summary>
public interface IGrpcStreamReader<T>
    where T : class
{
    ValueTask<T?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>The blocking form of <see cref="ReadAsync"/>; see <see cref="IGrpcRawCall.ReadMessageBlocking"/>.</summary>
    T? ReadBlocking(CancellationToken cancellationToken);

    /// <summary>A further message has (at least partly) arrived, so a read would not wait for the peer.</summary>
    bool HasBuffered => false;
}
