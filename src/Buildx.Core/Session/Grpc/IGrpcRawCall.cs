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

    /// <summary>
    /// The blocking form of <see cref="ReadMessageAsync"/>, for a consumer on a thread of its own: the
    /// connection hands it messages without thread-pool work.
    /// </summary>
    ReadOnlyMemory<byte>? ReadMessageBlocking(CancellationToken cancellationToken);

    /// <summary>Bytes of a further request message have arrived already, so a read would not wait.</summary>
    bool HasBufferedRequestData => false;

    /// <summary>Serializes and sends one response message.</summary>
    ValueTask WriteMessageAsync(IMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Sends one response message whose encoding is <paramref name="head"/> followed by <paramref name="body"/>,
    /// blocking the calling thread until it is in the connection's output. For bulk producers on threads of their
    /// own: the bytes are copied once, straight into frames, and no thread-pool work is involved. Without
    /// <paramref name="flush"/> the message may wait in the output for the producer's next one, so a producer
    /// that goes idle flushes its last message.
    /// </summary>
    void WriteMessageBlocking(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool flush, CancellationToken cancellationToken);
}
