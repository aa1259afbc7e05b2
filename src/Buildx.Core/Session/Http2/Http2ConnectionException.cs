namespace Buildx.Core.Session.Http2;

/// <summary>
/// A connection error (RFC 9113 section 5.4.1): the connection ends with a GOAWAY carrying <see cref="ErrorCode"/>.
/// It is an <see cref="IOException"/> because that is what the caller of the server sees.
/// </summary>
internal sealed class Http2ConnectionException : IOException
{
    public Http2ConnectionException(Http2ErrorCode errorCode, string message)
        : base($"HTTP/2 connection error {errorCode}: {message}")
    {
        ErrorCode = errorCode;
        Detail = message;
    }

    public Http2ErrorCode ErrorCode { get; }

    /// <summary>The reason without the prefix; it goes into the GOAWAY debug data.</summary>
    public string Detail { get; }
}
