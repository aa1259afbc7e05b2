using System.Buffers;
using System.Text;

namespace Buildx.Core.Session.Http2;

/// <summary>
/// Reads frames (after the client connection preface, on the server side) from the transport through
/// one reused buffer, so a burst of small frames costs one transport read. A frame's payload is valid
/// until the next read.
/// </summary>
internal sealed class Http2FrameReader
{
    /// <summary>The client connection preface of RFC 9113 section 3.4.</summary>
    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private readonly Stream transport;
    private readonly int maxFrameSize;
    private byte[] buffer;
    private int start;
    private int end;

    public Http2FrameReader(Stream transport, int maxFrameSize)
    {
        this.transport = transport;
        this.maxFrameSize = maxFrameSize;
        // Room for a whole frame plus read-ahead.
        buffer = ArrayPool<byte>.Shared.Rent(Math.Max(256 * 1024, 2 * (maxFrameSize + Http2FrameHeader.Size)));
    }

    public async ValueTask ReadPrefaceAsync(CancellationToken cancellationToken)
    {
        var expected = ClientPreface.Length;
        while (true)
        {
            // Checked as bytes arrive, so a peer that speaks something else fails at once instead of stalling.
            var received = buffer.AsSpan(start, Math.Min(expected, end - start));
            if (!received.SequenceEqual(ClientPreface[..received.Length]))
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "invalid connection preface: " + Printable(received));
            }

            if (received.Length == expected)
            {
                start += expected;
                return;
            }

            var read = await transport.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "the connection closed inside the connection preface");
            }

            end += read;
        }
    }

    /// <summary>Whether a whole frame is already buffered, so the next read will not touch the transport.</summary>
    public bool HasBufferedFrame
    {
        get
        {
            var available = end - start;
            return available >= Http2FrameHeader.Size
                && available - Http2FrameHeader.Size >= ((buffer[start] << 16) | (buffer[start + 1] << 8) | buffer[start + 2]);
        }
    }

    /// <summary>The next frame, or null when the peer closed the connection between frames.</summary>
    public async ValueTask<Http2Frame?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(Http2FrameHeader.Size, cancellationToken).ConfigureAwait(false))
        {
            if (end == start)
            {
                return null;
            }

            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "the connection closed inside a frame header");
        }

        var header = Http2FrameHeader.Read(buffer.AsSpan(start, Http2FrameHeader.Size));
        if (header.Length > maxFrameSize)
        {
            throw new Http2ConnectionException(
                Http2ErrorCode.FrameSizeError,
                $"a {header.Type} frame of {header.Length} octets exceeds SETTINGS_MAX_FRAME_SIZE {maxFrameSize}");
        }

        var total = Http2FrameHeader.Size + header.Length;
        if (!await FillAsync(total, cancellationToken).ConfigureAwait(false))
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "the connection closed inside a frame");
        }

        var payload = new ReadOnlyMemory<byte>(buffer, start + Http2FrameHeader.Size, header.Length);
        start += total;
        return new Http2Frame(header, payload);
    }

    /// <summary>Returns the buffer to the pool; call once no read is in progress and none will follow.</summary>
    public void Release()
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
            start = end = 0;
        }
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available; false at end of stream.</summary>
    private async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        if (end - start >= count)
        {
            return true;
        }

        if (buffer.Length - start < count)
        {
            // Slide the partial frame to the front; the buffer always holds one maximum frame.
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        else if (start == end)
        {
            start = end = 0;
        }

        while (end - start < count)
        {
            var read = await transport.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            end += read;
        }

        return true;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
        }

        return text.ToString();
    }
}
