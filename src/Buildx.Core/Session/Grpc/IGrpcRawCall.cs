using Google.Protobuf;

namespace Buildx.Core.Session.Grpc;

/// <summary>
/// One call as the session server hands it to a method handler: de-framed request messages in,
/// messages out. The server owns framing, HTTP/2 and status trailers.
/// </summary>
public interface IGrpcRawCall
{
    GrpcCallContext Context { get; }

    /// <summary>
    /// The next request message's bytes, or null when the peer has finished sending. The bytes are
    /// valid until the next read (the server reuses the buffer), so parse them before reading again.
    /// </summary>
    ValueTask<ReadOnlyMemory<byte>?> ReadMessageAsync(CancellationToken cancellationToken);

    /// <summary>Serializes and sends one response message.</summary>
    ValueTask WriteMessageAsync(IMessage message, CancellationToken cancellationToken);
}
