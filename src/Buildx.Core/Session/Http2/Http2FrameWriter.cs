using System.Buffers.Binary;

namespace Buildx.Core.Session.Http2;

/// <summary>
/// Lays frames out in a caller-provided span. No I/O and no allocation: the connection's output
/// buffer and the tests' raw peer both use it.
/// </summary>
internal static class Http2FrameWriter
{
    public const int SettingSize = 6;
    public const int PingSize = Http2FrameHeader.Size + 8;
    public const int WindowUpdateSize = Http2FrameHeader.Size + 4;
    public const int RstStreamSize = Http2FrameHeader.Size + 4;
    public const int GoAwayFixedSize = Http2FrameHeader.Size + 8;

    public static int WriteSettings(Span<byte> destination, ReadOnlySpan<KeyValuePair<Http2SettingId, uint>> settings)
    {
        var length = settings.Length * SettingSize;
        new Http2FrameHeader(length, Http2FrameType.Settings, Http2FrameFlags.None, 0).WriteTo(destination);
        var position = Http2FrameHeader.Size;
        foreach (var setting in settings)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[position..], (ushort)setting.Key);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(position + 2)..], setting.Value);
            position += SettingSize;
        }

        return position;
    }

    public static int WriteSettingsAck(Span<byte> destination)
    {
        new Http2FrameHeader(0, Http2FrameType.Settings, Http2FrameFlags.Ack, 0).WriteTo(destination);
        return Http2FrameHeader.Size;
    }

    public static int WritePing(Span<byte> destination, bool ack, ulong opaqueData)
    {
        new Http2FrameHeader(8, Http2FrameType.Ping, ack ? Http2FrameFlags.Ack : Http2FrameFlags.None, 0).WriteTo(destination);
        BinaryPrimitives.WriteUInt64BigEndian(destination[Http2FrameHeader.Size..], opaqueData);
        return PingSize;
    }

    public static int WriteWindowUpdate(Span<byte> destination, int streamId, int increment)
    {
        new Http2FrameHeader(4, Http2FrameType.WindowUpdate, Http2FrameFlags.None, streamId).WriteTo(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[Http2FrameHeader.Size..], (uint)increment & 0x7fffffffu);
        return WindowUpdateSize;
    }

    public static int WriteRstStream(Span<byte> destination, int streamId, Http2ErrorCode errorCode)
    {
        new Http2FrameHeader(4, Http2FrameType.RstStream, Http2FrameFlags.None, streamId).WriteTo(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[Http2FrameHeader.Size..], (uint)errorCode);
        return RstStreamSize;
    }

    public static int WriteGoAway(Span<byte> destination, int lastStreamId, Http2ErrorCode errorCode, ReadOnlySpan<byte> debugData)
    {
        new Http2FrameHeader(8 + debugData.Length, Http2FrameType.GoAway, Http2FrameFlags.None, 0).WriteTo(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[Http2FrameHeader.Size..], (uint)lastStreamId & 0x7fffffffu);
        BinaryPrimitives.WriteUInt32BigEndian(destination[(Http2FrameHeader.Size + 4)..], (uint)errorCode);
        debugData.CopyTo(destination[GoAwayFixedSize..]);
        return GoAwayFixedSize + debugData.Length;
    }

    public static int WriteData(Span<byte> destination, int streamId, ReadOnlySpan<byte> payload, bool endStream)
    {
        new Http2FrameHeader(payload.Length, Http2FrameType.Data, endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None, streamId)
            .WriteTo(destination);
        payload.CopyTo(destination[Http2FrameHeader.Size..]);
        return Http2FrameHeader.Size + payload.Length;
    }

    /// <summary>
    /// Splits an encoded header block into one HEADERS frame and as many CONTINUATION frames as
    /// <paramref name="maxFrameSize"/> requires. Returns the bytes written.
    /// </summary>
    public static int WriteHeaderBlock(Span<byte> destination, int streamId, ReadOnlySpan<byte> block, bool endStream, int maxFrameSize)
    {
        var position = 0;
        var type = Http2FrameType.Headers;
        do
        {
            var chunk = Math.Min(block.Length, maxFrameSize);
            var flags = Http2FrameFlags.None;
            if (type == Http2FrameType.Headers && endStream)
            {
                flags |= Http2FrameFlags.EndStream;
            }

            if (chunk == block.Length)
            {
                flags |= Http2FrameFlags.EndHeaders;
            }

            new Http2FrameHeader(chunk, type, flags, streamId).WriteTo(destination[position..]);
            block[..chunk].CopyTo(destination[(position + Http2FrameHeader.Size)..]);
            position += Http2FrameHeader.Size + chunk;
            block = block[chunk..];
            type = Http2FrameType.Continuation;
        }
        while (!block.IsEmpty);

        return position;
    }

    /// <summary>The bytes <see cref="WriteHeaderBlock"/> needs for a block of <paramref name="blockLength"/> octets.</summary>
    public static int HeaderBlockFramedLength(int blockLength, int maxFrameSize)
    {
        var frames = Math.Max(1, (blockLength + maxFrameSize - 1) / maxFrameSize);
        return blockLength + (frames * Http2FrameHeader.Size);
    }
}
