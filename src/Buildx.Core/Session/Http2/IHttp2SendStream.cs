namespace Buildx.Core.Session.Http2;

/// <summary>
/// The send side of one stream as <see cref="Http2ConnectionOutput"/> sees it: the server's request
/// streams and the client's single request stream both have one. Its state is guarded by the output's lock.
/// </summary>
internal interface IHttp2SendStream
{
    int Id { get; }

    /// <summary>The peer's remaining credit for our DATA; may go negative after a SETTINGS change.</summary>
    long SendWindow { get; set; }

    /// <summary>We have sent END_STREAM.</summary>
    bool SendEnded { get; set; }

    /// <summary>Throws when the stream may no longer send (it was reset, or its connection ended).</summary>
    void ThrowIfAborted();
}
