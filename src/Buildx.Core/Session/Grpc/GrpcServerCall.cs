using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Buildx.Core.Session.Http2;
using Google.Protobuf;
using Grpc.Core;

namespace Buildx.Core.Session.Grpc;

/// <summary>
/// One gRPC call on one HTTP/2 stream: de-frames request messages, frames response messages, and
/// ends the call with status trailers. Response headers go out with the first message, or together
/// with the status as a trailers-only response.
/// </summary>
internal sealed class GrpcServerCall : IGrpcRawCall, IDisposable
{
    /// <summary>The largest message accepted or sent, as BuildKit's own clients configure.</summary>
    public const int MaxMessageSize = 16 * 1024 * 1024;

    private static readonly KeyValuePair<string, string>[] ResponseHeaders =
    [
        new(":status", "200"),
        new("content-type", "application/grpc"),
    ];

    private static readonly KeyValuePair<string, string>[] OkTrailers = [new("grpc-status", "0")];

    private readonly Http2Stream stream;
    private readonly GrpcMessageSource messageSource = new();
    private readonly byte[] prefix = new byte[GrpcMessageSource.PrefixLength];
    private byte[] messageBuffer = [];
    private bool responseHeadersSent;
    private int reading;
    private int writing;

    public GrpcServerCall(Http2Stream stream, GrpcCallContext context)
    {
        this.stream = stream;
        Context = context;
    }

    public GrpcCallContext Context { get; }

    /// <summary>The bytes are valid until the next call: the buffer is reused (parse them before reading again).</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref reading, 1) != 0)
        {
            throw new InvalidOperationException("A read is already in progress on this call.");
        }

        try
        {
            using var linked = LinkWithCall(cancellationToken, out var token);
            var prefixRead = await ReadFullyAsync(prefix, token).ConfigureAwait(false);
            if (prefixRead == 0)
            {
                return null;
            }

            var length = CheckPrefix(prefixRead);
            var message = messageBuffer.AsMemory(0, length);
            if (await ReadFullyAsync(message, token).ConfigureAwait(false) < length)
            {
                throw new GrpcStatusException(StatusCode.Internal, "the request ended inside a message");
            }

            return message;
        }
        finally
        {
            Volatile.Write(ref reading, 0);
        }
    }

    public bool HasBufferedRequestData => stream.HasBufferedData;

    /// <summary>The blocking form of <see cref="ReadMessageAsync"/>, for a consumer on a thread of its own.</summary>
    public ReadOnlyMemory<byte>? ReadMessageBlocking(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref reading, 1) != 0)
        {
            throw new InvalidOperationException("A read is already in progress on this call.");
        }

        try
        {
            using var linked = LinkWithCall(cancellationToken, out var token);
            var prefixRead = ReadFullyBlocking(prefix, token);
            if (prefixRead == 0)
            {
                return null;
            }

            var length = CheckPrefix(prefixRead);
            var message = messageBuffer.AsMemory(0, length);
            if (ReadFullyBlocking(message.Span, token) < length)
            {
                throw new GrpcStatusException(StatusCode.Internal, "the request ended inside a message");
            }

            return message;
        }
        finally
        {
            Volatile.Write(ref reading, 0);
        }
    }

    /// <summary>Checks a message prefix and makes room for the message; returns its length.</summary>
    private int CheckPrefix(int prefixRead)
    {
        if (prefixRead < prefix.Length)
        {
            throw new GrpcStatusException(StatusCode.Internal, "the request ended inside a message prefix");
        }

        if (prefix[0] != 0)
        {
            // grpc-encoding other than identity was refused before the call started.
            throw new GrpcStatusException(
                StatusCode.Internal,
                prefix[0] == 1 ? "grpc: compressed flag set with identity or empty encoding" : $"grpc: invalid message flag {prefix[0]}");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1));
        if (length > MaxMessageSize)
        {
            throw new GrpcStatusException(
                StatusCode.ResourceExhausted,
                $"grpc: received message larger than max ({length} vs. {MaxMessageSize})");
        }

        if (messageBuffer.Length < length)
        {
            ReturnMessageBuffer();
            messageBuffer = ArrayPool<byte>.Shared.Rent((int)length);
        }

        return (int)length;
    }

    private int ReadFullyBlocking(Span<byte> destination, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = stream.ReadBlocking(destination[total..], cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    public async ValueTask WriteMessageAsync(IMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Interlocked.Exchange(ref writing, 1) != 0)
        {
            throw new InvalidOperationException("A write is already in progress on this call.");
        }

        try
        {
            var size = message.CalculateSize();
            if (size > MaxMessageSize)
            {
                throw new GrpcStatusException(
                    StatusCode.ResourceExhausted,
                    $"grpc: trying to send message larger than max ({size} vs. {MaxMessageSize})");
            }

            using var linked = LinkWithCall(cancellationToken, out var token);
            if (!responseHeadersSent)
            {
                await stream.WriteHeadersAsync(ResponseHeaders, endStream: false, token).ConfigureAwait(false);
                responseHeadersSent = true;
            }

            messageSource.Set(message, size);
            try
            {
                await stream.WriteDataAsync(messageSource, token).ConfigureAwait(false);
            }
            finally
            {
                messageSource.Clear();
            }
        }
        finally
        {
            Volatile.Write(ref writing, 0);
        }
    }

    public void WriteMessageBlocking(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool flush, CancellationToken cancellationToken)
    {
        // The gRPC prefix and the head share one small buffer; the body is copied only into the frames.
        const int MaxHeadLength = 64;
        if (head.Length > MaxHeadLength)
        {
            throw new ArgumentOutOfRangeException(nameof(head), head.Length, $"A message head is at most {MaxHeadLength} bytes.");
        }

        if (Interlocked.Exchange(ref writing, 1) != 0)
        {
            throw new InvalidOperationException("A write is already in progress on this call.");
        }

        try
        {
            var size = head.Length + body.Length;
            if (size > MaxMessageSize)
            {
                throw new GrpcStatusException(
                    StatusCode.ResourceExhausted,
                    $"grpc: trying to send message larger than max ({size} vs. {MaxMessageSize})");
            }

            using var linked = LinkWithCall(cancellationToken, out var token);
            if (!responseHeadersSent)
            {
                // Appending headers waits only when the output is full; this thread is the producer's own.
                stream.WriteHeadersAsync(ResponseHeaders, endStream: false, token).AsTask().GetAwaiter().GetResult();
                responseHeadersSent = true;
            }

            Span<byte> prefixAndHead = stackalloc byte[GrpcMessageSource.PrefixLength + MaxHeadLength];
            prefixAndHead[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(prefixAndHead[1..], (uint)size);
            head.CopyTo(prefixAndHead[GrpcMessageSource.PrefixLength..]);
            stream.WriteDataBlocking(prefixAndHead[..(GrpcMessageSource.PrefixLength + head.Length)], body, flush, token);
        }
        finally
        {
            Volatile.Write(ref writing, 0);
        }
    }

    /// <summary>Ends the call with a status: trailers, or a trailers-only response when nothing was sent yet.</summary>
    public ValueTask FinishAsync(StatusCode status, string? detail) =>
        SendStatusAsync(stream, status, detail, responseHeadersSent, CancellationToken.None);

    /// <summary>Sends a status as trailers (after headers) or as a trailers-only response.</summary>
    internal static ValueTask SendStatusAsync(
        Http2Stream stream,
        StatusCode status,
        string? detail,
        bool headersSent,
        CancellationToken cancellationToken,
        int httpStatus = 200)
    {
        if (headersSent && status == StatusCode.OK && string.IsNullOrEmpty(detail))
        {
            return stream.WriteHeadersAsync(OkTrailers, endStream: true, cancellationToken);
        }

        var fields = new List<KeyValuePair<string, string>>(5);
        if (!headersSent)
        {
            fields.Add(new(":status", httpStatus.ToString(CultureInfo.InvariantCulture)));
            fields.Add(new("content-type", "application/grpc"));
        }

        fields.Add(new("grpc-status", ((int)status).ToString(CultureInfo.InvariantCulture)));
        if (!string.IsNullOrEmpty(detail))
        {
            fields.Add(new("grpc-message", GrpcStatusMessage.Encode(detail)));
        }

        return stream.WriteHeadersAsync(fields, endStream: true, cancellationToken);
    }

    public void Dispose()
    {
        // A read still running (a handler that did not await it) may write into the buffer: leave it to the GC.
        if (Volatile.Read(ref reading) == 0)
        {
            ReturnMessageBuffer();
        }
    }

    private async ValueTask<int> ReadFullyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = await stream.ReadAsync(destination[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>The caller's token and the call's (peer reset, deadline) as one; allocates only when both can fire.</summary>
    private CancellationTokenSource? LinkWithCall(CancellationToken cancellationToken, out CancellationToken token)
    {
        var call = Context.CallCancelled;
        if (!cancellationToken.CanBeCanceled || cancellationToken == call)
        {
            token = call;
            return null;
        }

        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call);
        token = linked.Token;
        return linked;
    }

    private void ReturnMessageBuffer()
    {
        if (messageBuffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(messageBuffer);
            messageBuffer = [];
        }
    }
}
