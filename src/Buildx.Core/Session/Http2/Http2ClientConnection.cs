using System.Buffers.Binary;
using System.Text;
using Buildx.Core.Session.Http2.Hpack;

namespace Buildx.Core.Session.Http2;

/// <summary>
/// The client side of an HTTP/2 connection (RFC 9113, cleartext with prior knowledge) that carries
/// exactly one request, on stream 1: for the calls whose metadata grpc-dotnet cannot express (it
/// merges repeated header fields). One loop reads and applies frames and hands the response to an
/// <see cref="IHttp2ResponseReceiver"/>; <see cref="Http2ConnectionOutput"/> sends, within the peer's
/// flow-control windows. The peer's protocol errors end the connection with a GOAWAY; stream-level
/// problems reset stream 1. Either way the response ends with an <see cref="IOException"/>.
/// </summary>
internal sealed class Http2ClientConnection : IAsyncDisposable
{
    public const int RequestStreamId = 1;

    /// <summary>The stream window we announce: a bulk response never waits on us while we keep up.</summary>
    public const int StreamReceiveWindow = 16 * 1024 * 1024;

    /// <summary>The connection window, opened by a WINDOW_UPDATE right after our SETTINGS.</summary>
    public const int ConnectionReceiveWindow = 32 * 1024 * 1024;

    /// <summary>Consumed octets are credited back in batches of this size: few WINDOW_UPDATEs, no stalls.</summary>
    public const int WindowUpdateThreshold = 1024 * 1024;

    /// <summary>Decoded response header (or trailer) list limit; BuildKit's error details can be long.</summary>
    private const int MaxHeaderListSize = 256 * 1024;

    /// <summary>How long the final frames may take to leave before the transport is abandoned.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private static readonly KeyValuePair<Http2SettingId, uint>[] AdvertisedSettings =
    [
        new(Http2SettingId.EnablePush, 0),
        new(Http2SettingId.InitialWindowSize, StreamReceiveWindow),
        new(Http2SettingId.MaxHeaderListSize, MaxHeaderListSize),
    ];

    private readonly Stream transport;
    private readonly IHttp2ResponseReceiver receiver;
    private readonly Http2ConnectionOutput output;
    private readonly Http2FrameReader reader;
    private readonly HpackDecoder decoder = new(Http2ServerLimits.DefaultHeaderTableSize, MaxHeaderListSize);
    private readonly Http2HeaderBlockAssembly headerBlock = new(2 * MaxHeaderListSize, Http2ServerLimits.MaxContinuationFrames);
    private readonly RequestStream request;
    private readonly CancellationTokenSource stopReading = new();
    private Task readLoop = Task.CompletedTask;
    private long streamReceiveWindow = StreamReceiveWindow;
    private long connectionReceiveWindow = ConnectionReceiveWindow;
    private long unreturnedCredit;
    private int peerInitialWindowSize = Http2ServerLimits.DefaultInitialWindowSize;
    private bool responseHeadersReceived;
    private IOException? peerError;
    private int responseEnded;
    private int resetSent;
    private int disposed;

    private Http2ClientConnection(Stream transport, IHttp2ResponseReceiver receiver)
    {
        this.transport = transport;
        this.receiver = receiver;
        output = new Http2ConnectionOutput(transport);
        reader = new Http2FrameReader(transport, Http2ServerLimits.DefaultMaxFrameSize);
        request = new RequestStream(output);
    }

    private bool ResponseEnded => Volatile.Read(ref responseEnded) != 0;

    /// <summary>
    /// Starts the connection on <paramref name="transport"/> (which it owns from now on, and disposes
    /// if opening fails): preface, SETTINGS, the connection window, and the request headers on stream 1.
    /// Returns once they are flushed; the response arrives through <paramref name="receiver"/>.
    /// </summary>
    public static async Task<Http2ClientConnection> OpenAsync(
        Stream transport,
        IReadOnlyList<KeyValuePair<string, string>> requestHeaders,
        IHttp2ResponseReceiver receiver,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(requestHeaders);
        ArgumentNullException.ThrowIfNull(receiver);
        var connection = new Http2ClientConnection(transport, receiver);
        try
        {
            await connection.StartAsync(requestHeaders, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="prefix"/> and then <paramref name="data"/> as request DATA, waiting for window
    /// credit as needed; completes once they are written to the transport and flushed.
    /// </summary>
    public ValueTask WriteDataAsync(ReadOnlyMemory<byte> prefix, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        output.WriteDataAndFlushAsync(request, prefix, data, endStream: false, cancellationToken);

    /// <summary>
    /// The blocking form of <see cref="WriteDataAsync"/> for a caller on a thread of its own: it returns once
    /// the bytes are written, or handed to the writer that is writing, without thread-pool work.
    /// </summary>
    public void WriteDataBlocking(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> data, CancellationToken cancellationToken) =>
        output.WriteDataBlocking(request, prefix, data, endStream: false, flush: true, cancellationToken);

    /// <summary>Completes once everything sent so far has been written to the transport and flushed.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);

    /// <summary>
    /// Half-closes: an empty DATA frame with END_STREAM, flushed. Does nothing once the stream is over.
    /// The writer loop sends it, so <paramref name="cancellationToken"/> can always end the wait.
    /// </summary>
    public async ValueTask EndRequestAsync(CancellationToken cancellationToken)
    {
        if (request.SendEnded || request.IsAborted)
        {
            return;
        }

        await output.WriteDataAsync(request, ReadOnlyMemory<byte>.Empty, endStream: true, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Credits response octets the reader has consumed back to the peer; WINDOW_UPDATEs go out per
    /// <see cref="WindowUpdateThreshold"/>. A connection that is gone is not an error here: the data was read.
    /// </summary>
    public ValueTask ReturnCreditAsync(int octets)
    {
        if (octets <= 0 || Interlocked.Add(ref unreturnedCredit, octets) < WindowUpdateThreshold)
        {
            return default;
        }

        var credit = Interlocked.Exchange(ref unreturnedCredit, 0);
        return credit > 0 ? SendCreditAsync((int)credit) : default;
    }

    /// <summary>Abandons the request: RST_STREAM with <paramref name="errorCode"/>; reads and writes fail with <paramref name="reason"/>.</summary>
    public async ValueTask ResetAsync(Http2ErrorCode errorCode, string reason)
    {
        EndResponse(new IOException(reason));
        await SendResetAsync(errorCode).ConfigureAwait(false);
    }

    /// <summary>Half-closes if still possible, says GOAWAY, drains the output briefly and closes the transport.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        using (var drain = new CancellationTokenSource(DrainTimeout))
        {
            try
            {
                // Appended only: the writer loop sends it, and the drain below bounds how long that may take.
                if (!request.SendEnded && !request.IsAborted)
                {
                    await output.WriteDataAsync(request, ReadOnlyMemory<byte>.Empty, endStream: true, drain.Token).ConfigureAwait(false);
                }
            }
            catch (Exception error) when (error is IOException or InvalidOperationException or OperationCanceledException)
            {
                // Already over, or the transport is stuck: closing it is all that is left.
            }
        }

        output.TryWriteGoAway(0, Http2ErrorCode.NoError, "client closing");
        EndResponse(new IOException("The HTTP/2 connection was closed by this client."));
        await output.CompleteAsync(DrainTimeout).ConfigureAwait(false);
        await stopReading.CancelAsync().ConfigureAwait(false);
        await transport.DisposeAsync().ConfigureAwait(false);
        await readLoop.ConfigureAwait(false);
        headerBlock.Reset();
        stopReading.Dispose();
    }

    private async Task StartAsync(IReadOnlyList<KeyValuePair<string, string>> requestHeaders, CancellationToken cancellationToken)
    {
        output.Start();
        await output.WriteClientPrefaceAsync().ConfigureAwait(false);
        await output.WriteSettingsAsync(AdvertisedSettings).ConfigureAwait(false);
        await output.WriteWindowUpdateAsync(0, ConnectionReceiveWindow - Http2ServerLimits.DefaultInitialWindowSize).ConfigureAwait(false);
        await output.WriteHeadersAsync(request, requestHeaders, endStream: false, cancellationToken).ConfigureAwait(false);
        // On a thread of its own, as the server's frame loop: a polled transport is read there without pool work.
        readLoop = FrameReaderThread.Run(ReadLoopAsync);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadLoopAsync()
    {
        IOException? failure;
        try
        {
            failure = await ReadFramesAsync(stopReading.Token).ConfigureAwait(false)
                ?? new IOException("The peer closed the HTTP/2 connection before the response ended.");
        }
        catch (Http2ConnectionException error)
        {
            output.TryWriteGoAway(0, error.ErrorCode, error.Detail);
            failure = error;
        }
#pragma warning disable CA1031 // Any failure of the read side ends the response; the reader sees it as an IOException.
        catch (Exception error)
#pragma warning restore CA1031
        {
            failure = Volatile.Read(ref disposed) != 0
                ? new IOException("The HTTP/2 connection was closed by this client.", error)
                : error as IOException ?? new IOException("Reading the HTTP/2 connection failed: " + error.Message, error);
        }

        EndResponse(failure);
        request.Abort(failure.Message);
    }

    /// <summary>Reads until the peer closes the connection (null) or says GOAWAY with an error (returned).</summary>
    private async Task<IOException?> ReadFramesAsync(CancellationToken cancellationToken)
    {
        var settingsSeen = false;
        while (true)
        {
            if (!reader.HasBufferedFrame)
            {
                receiver.OnInputIdle();
            }

            if (await reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false) is not { } frame)
            {
                if (headerBlock.InProgress)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "the connection closed inside a header block");
                }

                return null;
            }

            if (!settingsSeen)
            {
                // The server's connection preface is a SETTINGS frame (RFC 9113 section 3.4).
                if (frame.Type != Http2FrameType.Settings || frame.HasFlag(Http2FrameFlags.Ack))
                {
                    throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"the server's first frame is {frame.Type}, not SETTINGS");
                }

                settingsSeen = true;
            }

            if (headerBlock.InProgress && frame.Type != Http2FrameType.Continuation)
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"a {frame.Type} frame interrupts a header block");
            }

            try
            {
                await HandleFrameAsync(frame).ConfigureAwait(false);
            }
            catch (Http2StreamException error)
            {
                EndResponse(new IOException(error.Message));
                await SendResetAsync(error.ErrorCode).ConfigureAwait(false);
            }

            if (peerError is not null)
            {
                return peerError;
            }
        }
    }

    private ValueTask HandleFrameAsync(Http2Frame frame) => frame.Type switch
    {
        Http2FrameType.Data => HandleDataAsync(frame),
        Http2FrameType.Headers => HandleHeadersAsync(frame),
        Http2FrameType.RstStream => HandleRstStream(frame),
        Http2FrameType.Settings => HandleSettingsAsync(frame),
        Http2FrameType.PushPromise => throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "PUSH_PROMISE although SETTINGS_ENABLE_PUSH is 0"),
        Http2FrameType.Ping => HandlePingAsync(frame),
        Http2FrameType.GoAway => HandleGoAway(frame),
        Http2FrameType.WindowUpdate => HandleWindowUpdate(frame),
        Http2FrameType.Continuation => HandleContinuationAsync(frame),
        _ => default, // PRIORITY is advisory; unknown frame types are ignored (section 4.1).
    };

    private async ValueTask HandleDataAsync(Http2Frame frame)
    {
        RequireRequestStream(frame);
        var length = frame.Header.Length;
        if (Interlocked.Add(ref connectionReceiveWindow, -length) < 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "DATA beyond the connection window");
        }

        var data = frame.UnpaddedPayload();
        if (ResponseEnded)
        {
            // Frames in flight after the response ended or we reset the stream are dropped.
            await ReturnCreditAsync(length).ConfigureAwait(false);
            return;
        }

        if (Interlocked.Add(ref streamReceiveWindow, -length) < 0)
        {
            throw new Http2StreamException(RequestStreamId, Http2ErrorCode.FlowControlError, "DATA beyond the stream window");
        }

        if (!responseHeadersReceived)
        {
            throw new Http2StreamException(RequestStreamId, Http2ErrorCode.ProtocolError, "DATA before the response headers");
        }

        int kept;
        try
        {
            kept = receiver.OnData(data.Span);
        }
        catch (Exception error) when (error is IOException or InvalidDataException)
        {
            await ReturnCreditAsync(length).ConfigureAwait(false);
            await RejectResponseAsync(error).ConfigureAwait(false);
            return;
        }

        await ReturnCreditAsync(length - kept).ConfigureAwait(false);
        if (frame.HasFlag(Http2FrameFlags.EndStream))
        {
            EndResponse(null);
        }
    }

    private ValueTask HandleHeadersAsync(Http2Frame frame)
    {
        RequireRequestStream(frame);
        var hasPriority = frame.HasFlag(Http2FrameFlags.Priority);
        var fragment = frame.UnpaddedPayload(hasPriority ? 5 : 0);
        if (hasPriority)
        {
            fragment = fragment[5..];
        }

        headerBlock.Begin(frame.StreamId, frame.HasFlag(Http2FrameFlags.EndStream), fragment.Span);
        return frame.HasFlag(Http2FrameFlags.EndHeaders) ? CompleteHeaderBlockAsync() : default;
    }

    private ValueTask HandleContinuationAsync(Http2Frame frame)
    {
        if (!headerBlock.InProgress || frame.StreamId != headerBlock.StreamId)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "CONTINUATION without a header block on that stream");
        }

        headerBlock.Append(frame.Payload.Span);
        return frame.HasFlag(Http2FrameFlags.EndHeaders) ? CompleteHeaderBlockAsync() : default;
    }

    private async ValueTask CompleteHeaderBlockAsync()
    {
        var endStream = headerBlock.EndStream;
        var fields = new List<KeyValuePair<string, string>>();
        var withinLimit = headerBlock.DecodeAndReset(decoder, fields);

        if (ResponseEnded)
        {
            return;
        }

        if (!withinLimit)
        {
            throw new Http2StreamException(RequestStreamId, Http2ErrorCode.ProtocolError, $"the response header list exceeds {MaxHeaderListSize} octets");
        }

        if (responseHeadersReceived && !endStream)
        {
            throw new Http2StreamException(RequestStreamId, Http2ErrorCode.ProtocolError, "a second header block without END_STREAM");
        }

        if (!responseHeadersReceived && !endStream && IsInformational(fields))
        {
            // A 1xx response precedes the real one (RFC 9113 section 8.1).
            return;
        }

        responseHeadersReceived = true;
        try
        {
            receiver.OnHeaders(fields, endStream);
        }
        catch (Exception error) when (error is IOException or InvalidDataException)
        {
            await RejectResponseAsync(error).ConfigureAwait(false);
            return;
        }

        if (endStream)
        {
            EndResponse(null);
        }
    }

    private ValueTask HandleRstStream(Http2Frame frame)
    {
        RequireRequestStream(frame);
        if (frame.Header.Length != 4)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "a RST_STREAM frame is not 4 octets");
        }

        // After a complete response, RST_STREAM(NO_ERROR) only stops our request body (as grpc-go servers do).
        var errorCode = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(frame.Payload.Span);
        var reason = errorCode == Http2ErrorCode.NoError
            ? "The peer closed the HTTP/2 stream."
            : $"The peer reset the HTTP/2 stream ({errorCode}).";
        EndResponse(new IOException(reason));
        request.Abort(reason);
        return default;
    }

    private async ValueTask HandleSettingsAsync(Http2Frame frame)
    {
        if (Http2ControlFrames.ReadSettings(frame, peerIsServer: true) is not { } settings)
        {
            return;
        }

        if (settings.HeaderTableSize is { } tableSize)
        {
            output.SetPeerHeaderTableSize(tableSize);
        }

        if (settings.InitialWindowSize is { } windowSize)
        {
            output.ApplyInitialWindowSizeChange([request], windowSize - peerInitialWindowSize);
            peerInitialWindowSize = windowSize;
        }

        if (settings.MaxFrameSize is { } frameSize)
        {
            output.SetPeerMaxFrameSize(frameSize);
        }

        // The output flushes as soon as it has nothing else to send, so the peer is not left waiting for this.
        await output.WriteSettingsAckAsync().ConfigureAwait(false);
    }

    private ValueTask HandlePingAsync(Http2Frame frame) =>
        Http2ControlFrames.ReadPingToAnswer(frame) is { } payload ? output.WritePingAckAsync(payload) : default;

    private ValueTask HandleGoAway(Http2Frame frame)
    {
        var (lastStreamId, errorCode, debug) = Http2ControlFrames.ReadGoAway(frame);
        if (errorCode != Http2ErrorCode.NoError)
        {
            peerError = new Http2ConnectionException(errorCode, "the peer closed the connection" + (debug.Length > 0 ? ": " + debug : string.Empty));
        }
        else if (lastStreamId < RequestStreamId)
        {
            peerError = new IOException("The peer closed the HTTP/2 connection without processing the request (GOAWAY).");
        }

        // A graceful GOAWAY that includes our stream lets it finish (section 6.8).
        return default;
    }

    private ValueTask HandleWindowUpdate(Http2Frame frame)
    {
        if (frame.Header.Length != 4)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "a WINDOW_UPDATE frame is not 4 octets");
        }

        var increment = (int)(BinaryPrimitives.ReadUInt32BigEndian(frame.Payload.Span) & 0x7fffffffu);
        if (frame.StreamId == 0)
        {
            if (increment == 0)
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "a connection WINDOW_UPDATE of 0");
            }

            output.AddConnectionSendWindow(increment);
            return default;
        }

        RequireRequestStream(frame);
        if (increment == 0)
        {
            throw new Http2StreamException(RequestStreamId, Http2ErrorCode.ProtocolError, "a stream WINDOW_UPDATE of 0");
        }

        output.AddStreamSendWindow(request, increment);
        return default;
    }

    /// <summary>We open stream 1 only and allow no pushes, so a frame for any other stream is for an idle one.</summary>
    private static void RequireRequestStream(Http2Frame frame)
    {
        if (frame.StreamId != RequestStreamId)
        {
            throw new Http2ConnectionException(
                Http2ErrorCode.ProtocolError,
                frame.StreamId == 0 ? $"{frame.Type} on stream 0" : $"{frame.Type} on stream {frame.StreamId}, which this client never opened");
        }
    }

    private static bool IsInformational(List<KeyValuePair<string, string>> fields) =>
        fields.Exists(static f => f.Key == ":status" && f.Value.Length == 3 && f.Value[0] == '1');

    /// <summary>The receiver refused the response: reset the stream and end the response with its reason.</summary>
    private async ValueTask RejectResponseAsync(Exception error)
    {
        EndResponse(error as IOException ?? new IOException(error.Message, error));
        await SendResetAsync(error is InvalidDataException ? Http2ErrorCode.ProtocolError : Http2ErrorCode.Cancel).ConfigureAwait(false);
    }

    /// <summary>Ends the response once: the receiver hears of it, and the request can no longer send.</summary>
    private void EndResponse(IOException? error)
    {
        if (Interlocked.Exchange(ref responseEnded, 1) != 0)
        {
            return;
        }

        receiver.OnEnd(error);
        // With the response over, the call is over: a request body has nowhere to go.
        request.Abort(error?.Message ?? "The response has ended; the request can no longer send.");
    }

    private async ValueTask SendResetAsync(Http2ErrorCode errorCode)
    {
        if (Interlocked.Exchange(ref resetSent, 1) != 0)
        {
            return;
        }

        try
        {
            await output.WriteRstStreamAsync(RequestStreamId, errorCode).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The connection is gone, and the stream with it.
        }
    }

    private async ValueTask SendCreditAsync(int credit)
    {
        Interlocked.Add(ref connectionReceiveWindow, credit);
        Interlocked.Add(ref streamReceiveWindow, credit);
        try
        {
            await output.WriteWindowUpdateAsync(0, credit).ConfigureAwait(false);
            if (!ResponseEnded)
            {
                await output.WriteWindowUpdateAsync(RequestStreamId, credit).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The connection closed; nobody needs the credit any more.
        }
    }

    /// <summary>Stream 1's send side, as the output sees it; guarded by the output's lock except for the abort reason.</summary>
    private sealed class RequestStream(Http2ConnectionOutput output) : IHttp2SendStream
    {
        private string? abortReason;

        public int Id => RequestStreamId;

        public long SendWindow { get; set; } = Http2ServerLimits.DefaultInitialWindowSize;

        public bool SendEnded { get; set; }

        public bool IsAborted => Volatile.Read(ref abortReason) is not null;

        /// <summary>Writes fail from now on with <paramref name="reason"/>; blocked writers wake up to see it.</summary>
        public void Abort(string reason)
        {
            if (Interlocked.CompareExchange(ref abortReason, reason, null) is null)
            {
                output.WakeBlockedProducers();
            }
        }

        public void ThrowIfAborted()
        {
            if (Volatile.Read(ref abortReason) is { } reason)
            {
                throw new IOException(reason);
            }
        }
    }
}
