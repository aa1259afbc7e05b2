namespace Buildx.Core.Session.Http2;

/// <summary>What this server advertises and enforces. The values favour bulk transfer over one connection.</summary>
internal static class Http2ServerLimits
{
    /// <summary>RFC 9113 defaults, in force until the peer's SETTINGS say otherwise.</summary>
    public const int DefaultInitialWindowSize = 65535;
    public const int DefaultMaxFrameSize = 16384;
    public const int DefaultHeaderTableSize = 4096;
    public const int MaxWindowSize = int.MaxValue;
    public const int MaxAllowedFrameSize = Http2FrameHeader.MaxLength;

    /// <summary>Per-stream receive window: a bulk stream never waits on us while we keep up.</summary>
    public const int StreamReceiveWindow = 16 * 1024 * 1024;

    /// <summary>Connection receive window, opened by a WINDOW_UPDATE right after our SETTINGS.</summary>
    public const int ConnectionReceiveWindow = 32 * 1024 * 1024;

    /// <summary>Consumed bytes are returned to the peer in batches of this size (fewer WINDOW_UPDATE frames).</summary>
    public const int WindowUpdateThreshold = 1024 * 1024;

    /// <summary>The largest frame payload we accept: the protocol default, so there is nothing to negotiate.</summary>
    public const int MaxReceiveFrameSize = DefaultMaxFrameSize;

    /// <summary>The largest DATA payload we send, also bounded by the peer's SETTINGS_MAX_FRAME_SIZE.</summary>
    public const int MaxSendFrameSize = 64 * 1024;

    public const int MaxConcurrentStreams = 1000;

    /// <summary>Decoded header list limit (RFC 7541 sizes: name + value + 32 per field).</summary>
    public const int MaxHeaderListSize = 64 * 1024;

    /// <summary>Compressed header block limit across HEADERS and CONTINUATION frames.</summary>
    public const int MaxHeaderBlockSize = 2 * MaxHeaderListSize;

    /// <summary>CONTINUATION frames allowed in one header block; empty ones would otherwise cost nothing to send.</summary>
    public const int MaxContinuationFrames = 64;
}
