namespace Buildx.Core.Session.Grpc;

/// <summary>Sends messages to the peer on one gRPC call.</summary>
public interface IGrpcStreamWriter<in T>
    where T : class
{
    ValueTask WriteAsync(T message, CancellationToken cancellationToken);

    /// <summary>Sends a message already encoded as <paramref name="head"/> + <paramref name="body"/>; see <see cref="IGrpcRawCall.WriteMessageBlocking"/>.</summary>
    void WriteEncodedBlocking(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool flush, CancellationToken cancellationToken);
}
