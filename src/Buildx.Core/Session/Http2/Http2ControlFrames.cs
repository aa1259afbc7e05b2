using System.Buffers.Binary;
using System.Text;

namespace Buildx.Core.Session.Http2;

/// <summary>
/// Checks and reads the connection-level control frames the same way for both roles: the
/// session's server and the Control.Session client.
/// </summary>
internal static class Http2ControlFrames
{
    /// <summary>A PING's opaque payload, or null for an acknowledgement (which needs no answer).</summary>
    public static ulong? ReadPingToAnswer(Http2Frame frame)
    {
        if (frame.StreamId != 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "PING on a stream");
        }

        if (frame.Header.Length != 8)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "a PING frame is not 8 octets");
        }

        return frame.HasFlag(Http2FrameFlags.Ack) ? null : BinaryPrimitives.ReadUInt64BigEndian(frame.Payload.Span);
    }

    /// <summary>A GOAWAY's last stream id, error code and (at most 256 bytes of) debug text.</summary>
    public static (int LastStreamId, Http2ErrorCode ErrorCode, string Debug) ReadGoAway(Http2Frame frame)
    {
        if (frame.StreamId != 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "GOAWAY on a stream");
        }

        if (frame.Header.Length < 8)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "a GOAWAY frame shorter than 8 octets");
        }

        var payload = frame.Payload.Span;
        var lastStreamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffffu);
        var errorCode = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        var debug = Encoding.UTF8.GetString(payload[8..Math.Min(frame.Header.Length, 8 + 256)]);
        return (lastStreamId, errorCode, debug);
    }
}
