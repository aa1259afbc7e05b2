namespace Buildx.Core.Session.Http2;

/// <summary>Frame flags; a bit's meaning depends on the frame type, hence the shared values.</summary>
[Flags]
internal enum Http2FrameFlags : byte
{
    None = 0x0,

    /// <summary>END_STREAM on DATA and HEADERS.</summary>
    EndStream = 0x1,

    /// <summary>ACK on SETTINGS and PING: the same bit as END_STREAM, by design of RFC 9113.</summary>
#pragma warning disable CA1069 // Deliberately shares END_STREAM's value.
    Ack = 0x1,
#pragma warning restore CA1069

    /// <summary>END_HEADERS on HEADERS and CONTINUATION.</summary>
    EndHeaders = 0x4,

    /// <summary>PADDED on DATA and HEADERS.</summary>
    Padded = 0x8,

    /// <summary>PRIORITY on HEADERS.</summary>
    Priority = 0x20,
}
