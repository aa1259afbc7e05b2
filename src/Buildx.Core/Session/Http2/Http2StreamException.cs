namespace Buildx.Core.Session.Http2;

/// <summary>A stream error (RFC 9113 section 5.4.2): that stream is reset, the connection goes on.</summary>
internal sealed class Http2StreamException(int streamId, Http2ErrorCode errorCode, string message)
    : Exception($"HTTP/2 stream {streamId} error {errorCode}: {message}")
{
    public int StreamId { get; } = streamId;

    public Http2ErrorCode ErrorCode { get; } = errorCode;
}
