namespace Buildx.Core.Session.Http2;

/// <summary>
/// Takes the response to an <see cref="Http2ClientConnection"/>'s request. Called on the connection's
/// read loop, so it must not block. Throwing <see cref="IOException"/> or <see cref="InvalidDataException"/>
/// from <see cref="OnHeaders"/> or <see cref="OnData"/> rejects the response: the stream is reset and
/// the response ends with that exception.
/// </summary>
internal interface IHttp2ResponseReceiver
{
    /// <summary>
    /// A header block: the response headers first, then the trailers (<paramref name="endStream"/> set).
    /// A trailers-only response is a single block with <paramref name="endStream"/> set.
    /// </summary>
    void OnHeaders(IReadOnlyList<KeyValuePair<string, string>> fields, bool endStream);

    /// <summary>
    /// A DATA payload, padding removed. Returns how many of its octets are kept for a reader: the
    /// connection credits those back to the peer only when <see cref="Http2ClientConnection.ReturnCreditAsync"/>
    /// says they were consumed, and the rest at once.
    /// </summary>
    int OnData(ReadOnlySpan<byte> data);

    /// <summary>The connection has no more frames at hand and is about to wait for the transport.</summary>
    void OnInputIdle();

    /// <summary>The response is over: complete (null), or cut short by a reset, a GOAWAY or the connection.</summary>
    void OnEnd(IOException? error);
}
