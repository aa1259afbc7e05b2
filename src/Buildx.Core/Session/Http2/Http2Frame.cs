namespace Buildx.Core.Session.Http2;

/// <summary>A received frame. The payload lives in the reader's buffer and is valid until the next read.</summary>
internal readonly record struct Http2Frame(Http2FrameHeader Header, ReadOnlyMemory<byte> Payload)
{
    public Http2FrameType Type => Header.Type;

    public int StreamId => Header.StreamId;

    public bool HasFlag(Http2FrameFlags flag) => Header.HasFlag(flag);

    /// <summary>
    /// The payload without padding (RFC 9113 section 6.1), still starting with the
    /// <paramref name="priorityLength"/> octets of a HEADERS frame's priority fields. Padding that does
    /// not fit the frame is a connection error.
    /// </summary>
    public ReadOnlyMemory<byte> UnpaddedPayload(int priorityLength = 0)
    {
        if (!HasFlag(Http2FrameFlags.Padded))
        {
            return Payload.Length >= priorityLength
                ? Payload
                : throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, $"a {Type} frame too short for its fields");
        }

        if (Payload.Length < 1 + priorityLength)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, $"a {Type} frame too short for its fields");
        }

        var padLength = Payload.Span[0];
        if (padLength > Payload.Length - 1 - priorityLength)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"a {Type} frame's padding exceeds its payload");
        }

        return Payload[1..^padLength];
    }
}
