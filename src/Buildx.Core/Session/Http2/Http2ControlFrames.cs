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

    /// <summary>
    /// A SETTINGS frame's values after the checks of RFC 9113 section 6.5, or null for an
    /// acknowledgement. Where a setting repeats, the last value wins, as applying them in order would.
    /// </summary>
    public static Http2PeerSettings? ReadSettings(Http2Frame frame, bool peerIsServer)
    {
        if (frame.StreamId != 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "SETTINGS on a stream");
        }

        if (frame.HasFlag(Http2FrameFlags.Ack))
        {
            return frame.Header.Length == 0
                ? null
                : throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "a SETTINGS acknowledgement with a payload");
        }

        if (frame.Header.Length % Http2FrameWriter.SettingSize != 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "a SETTINGS payload is not a multiple of 6 octets");
        }

        var settings = default(Http2PeerSettings);
        var payload = frame.Payload.Span;
        for (var offset = 0; offset < payload.Length; offset += Http2FrameWriter.SettingSize)
        {
            var id = (Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
            var value = BinaryPrimitives.ReadUInt32BigEndian(payload[(offset + 2)..]);
            switch (id)
            {
                case Http2SettingId.HeaderTableSize:
                    settings = settings with { HeaderTableSize = (int)Math.Min(value, int.MaxValue) };
                    break;
                case Http2SettingId.EnablePush when peerIsServer && value != 0:
                    throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "a server sent SETTINGS_ENABLE_PUSH other than 0");
                case Http2SettingId.EnablePush when value > 1:
                    throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "SETTINGS_ENABLE_PUSH is neither 0 nor 1");
                case Http2SettingId.InitialWindowSize:
                    settings = value <= Http2ServerLimits.MaxWindowSize
                        ? settings with { InitialWindowSize = (int)value }
                        : throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1");
                    break;
                case Http2SettingId.MaxFrameSize:
                    settings = value is >= Http2ServerLimits.DefaultMaxFrameSize and <= Http2ServerLimits.MaxAllowedFrameSize
                        ? settings with { MaxFrameSize = (int)value }
                        : throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"SETTINGS_MAX_FRAME_SIZE {value} is out of range");
                    break;
                default:
                    // MAX_CONCURRENT_STREAMS limits streams we never open or push; MAX_HEADER_LIST_SIZE is
                    // advisory; unknown settings are ignored (section 6.5.2).
                    break;
            }
        }

        return settings;
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
