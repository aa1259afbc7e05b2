namespace Buildx.Core.Session.Grpc;

/// <summary>Sends messages to the peer on one gRPC call.</summary>
public interface IGrpcStreamWriter<in T>
    where T : class
{
    ValueTask WriteAsync(T message, CancellationToken cancellationToken);
}
