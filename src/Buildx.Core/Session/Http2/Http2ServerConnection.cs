using System.Buffers.Binary;
using System.Runtime.ExceptionServices;
using Buildx.Core.Session.Http2.Hpack;

namespace Buildx.Core.Session.Http2;

/// <summary>
/// The server side of one HTTP/2 connection (RFC 9113) over a duplex stream, with prior knowledge
/// (no upgrade, no TLS). One loop reads and applies frames; each request stream runs its handler as
/// its own task; <see cref="Http2ConnectionOutput"/> sends. Malformed input from the peer becomes a
/// stream error (RST_STREAM) or a connection error (GOAWAY, then <see cref="Http2ConnectionException"/>).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "RunAsync disposes its token source when the connection ends.")]
internal sealed class Http2ServerConnection
{
    /// <summary>How long the final frames may take to leave before the transport is abandoned.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How much input the frame loop handles before letting other work run.</summary>
    private const int YieldEveryOctets = 256 * 1024;

    private readonly Func<Http2Stream, Task> streamHandler;
    private readonly Http2FrameReader reader;
    private readonly HpackDecoder decoder = new(Http2ServerLimits.DefaultHeaderTableSize, Http2ServerLimits.MaxHeaderListSize);
    private readonly object streamsLock = new();
    private readonly Dictionary<int, Http2Stream> streams = [];
    private readonly List<Task> handlers = [];
    private readonly CancellationTokenSource stopReading = new();
    private readonly Http2HeaderBlockAssembly headerBlock = new(Http2ServerLimits.MaxHeaderBlockSize, Http2ServerLimits.MaxContinuationFrames);
    private readonly List<Http2Stream> streamsWithNewData = [];
    private Http2Stream? lastDataStream;
    private int lastClientStreamId;
    private int peerInitialWindowSize = Http2ServerLimits.DefaultInitialWindowSize;
    private long connectionReceiveWindow = Http2ServerLimits.ConnectionReceiveWindow;
    private long unreturnedConnectionCredit;
    private volatile bool peerGoingAway;
    private HeaderBlockKind headerBlockKind;
    private bool headerBlockDependsOnItself;
    private Http2ConnectionException? peerError;

    public Http2ServerConnection(Stream transport, Func<Http2Stream, Task> streamHandler)
    {
        ArgumentNullException.ThrowIfNull(transport);
        this.streamHandler = streamHandler;
        reader = new Http2FrameReader(transport, Http2ServerLimits.MaxReceiveFrameSize);
        Output = new Http2ConnectionOutput(transport);
    }

    internal Http2ConnectionOutput Output { get; }

    /// <summary>The settings we announce: wide windows, bounded header lists and stream count.</summary>
    internal static KeyValuePair<Http2SettingId, uint>[] AdvertisedSettings { get; } =
    [
        new(Http2SettingId.MaxConcurrentStreams, Http2ServerLimits.MaxConcurrentStreams),
        new(Http2SettingId.InitialWindowSize, Http2ServerLimits.StreamReceiveWindow),
        new(Http2SettingId.MaxHeaderListSize, Http2ServerLimits.MaxHeaderListSize),
    ];

    private int ActiveStreamCount
    {
        get
        {
            lock (streamsLock)
            {
                return streams.Count;
            }
        }
    }

    /// <summary>
    /// Serves until the peer closes the connection or says GOAWAY (returns normally), the peer breaks
    /// the protocol (GOAWAY sent, <see cref="Http2ConnectionException"/> thrown), or
    /// <paramref name="cancellationToken"/> fires (GOAWAY sent, <see cref="OperationCanceledException"/>).
    /// Streams still open at the end are aborted and their handlers awaited.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopReading.Token);
        Output.Start();
        ExceptionDispatchInfo? failure = null;
        try
        {
            await Output.WriteSettingsAsync(AdvertisedSettings).ConfigureAwait(false);
            await Output.WriteWindowUpdateAsync(0, Http2ServerLimits.ConnectionReceiveWindow - Http2ServerLimits.DefaultInitialWindowSize)
                .ConfigureAwait(false);
            await reader.ReadPrefaceAsync(reading.Token).ConfigureAwait(false);
            await ReadFramesAsync(reading.Token).ConfigureAwait(false);
        }
        catch (Http2ConnectionException error)
        {
            Output.TryWriteGoAway(lastClientStreamId, error.ErrorCode, error.Detail);
            failure = ExceptionDispatchInfo.Capture(error);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Output.TryWriteGoAway(lastClientStreamId, Http2ErrorCode.NoError, "server shutting down");
            failure = ExceptionDispatchInfo.Capture(new OperationCanceledException(cancellationToken));
        }
        catch (OperationCanceledException) when (stopReading.IsCancellationRequested)
        {
            // The peer said GOAWAY and its last stream finished.
        }
#pragma warning disable CA1031 // A failing transport ends the connection like any other failure; it is rethrown below.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            failure = ExceptionDispatchInfo.Capture(exception);
        }

        reader.Release();
        await ShutDownAsync().ConfigureAwait(false);
        if (failure is null && peerError is not null)
        {
            failure = ExceptionDispatchInfo.Capture(peerError);
        }

        failure?.Throw();
    }

    /// <summary>Returns consumed connection-level credit to the peer in batches.</summary>
    internal ValueTask ReturnConnectionCreditAsync(int octets)
    {
        if (octets <= 0)
        {
            return default;
        }

        if (Interlocked.Add(ref unreturnedConnectionCredit, octets) < Http2ServerLimits.WindowUpdateThreshold)
        {
            return default;
        }

        var credit = Interlocked.Exchange(ref unreturnedConnectionCredit, 0);
        if (credit <= 0)
        {
            return default;
        }

        Interlocked.Add(ref connectionReceiveWindow, credit);
        return Output.WriteWindowUpdateAsync(0, (int)credit);
    }

    private async Task ReadFramesAsync(CancellationToken cancellationToken)
    {
        var settingsSeen = false;
        var octetsSinceYield = 0;
        while (true)
        {
            if (octetsSinceYield >= YieldEveryOctets)
            {
                // Reads complete synchronously while the peer keeps sending; step aside now and then
                // so the handlers consuming the data get a thread even on a small thread pool. (A loop
                // on its own thread takes no pool thread from them.)
                octetsSinceYield = 0;
                if (!FrameReaderThread.IsCurrent)
                {
                    WakeReaders();
                    await Task.Yield();
                }
            }

            if (!reader.HasBufferedFrame)
            {
                // About to wait for the transport: whoever got data in this burst gets it now.
                WakeReaders();
            }

            if (await reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false) is not { } frame)
            {
                if (headerBlock.InProgress)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "the connection closed inside a header block");
                }

                return;
            }

            if (!settingsSeen)
            {
                // The client preface ends with a SETTINGS frame (RFC 9113 section 3.4).
                if (frame.Type != Http2FrameType.Settings || frame.HasFlag(Http2FrameFlags.Ack))
                {
                    throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"the first frame is {frame.Type}, not SETTINGS");
                }

                settingsSeen = true;
            }

            if (headerBlock.InProgress && frame.Type != Http2FrameType.Continuation)
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"a {frame.Type} frame interrupts a header block");
            }

            octetsSinceYield += Http2FrameHeader.Size + frame.Header.Length;
            try
            {
                await HandleFrameAsync(frame).ConfigureAwait(false);
            }
            catch (Http2StreamException error)
            {
                await ResetStreamAsync(error.StreamId, error.ErrorCode, error.Message).ConfigureAwait(false);
            }

            if (peerError is not null || (peerGoingAway && ActiveStreamCount == 0))
            {
                return;
            }
        }
    }

    private ValueTask HandleFrameAsync(Http2Frame frame) => frame.Type switch
    {
        Http2FrameType.Data => HandleDataAsync(frame),
        Http2FrameType.Headers => HandleHeadersAsync(frame),
        Http2FrameType.Priority => HandlePriority(frame),
        Http2FrameType.RstStream => HandleRstStream(frame),
        Http2FrameType.Settings => HandleSettingsAsync(frame),
        Http2FrameType.PushPromise => throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "a client sent PUSH_PROMISE"),
        Http2FrameType.Ping => HandlePingAsync(frame),
        Http2FrameType.GoAway => HandleGoAway(frame),
        Http2FrameType.WindowUpdate => HandleWindowUpdate(frame),
        Http2FrameType.Continuation => HandleContinuationAsync(frame),
        _ => default, // Unknown frame types are ignored (section 4.1).
    };

    private async ValueTask HandleDataAsync(Http2Frame frame)
    {
        var streamId = RequireStream(frame);
        var data = frame.UnpaddedPayload(priorityLength: 0);
        var length = frame.Header.Length;
        if (length > Volatile.Read(ref connectionReceiveWindow))
        {
            throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "DATA beyond the connection window");
        }

        Interlocked.Add(ref connectionReceiveWindow, -length);
        // Bulk data comes in runs on one stream: skip the shared table for them. A stream closed
        // meanwhile discards what it gets, as a lookup miss would.
        var stream = lastDataStream?.Id == streamId ? lastDataStream : lastDataStream = FindStream(streamId);
        if (stream is null)
        {
            if (IsIdle(streamId))
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"DATA on idle stream {streamId}");
            }

            // A stream we closed or reset: frames in flight are expected and dropped.
            await ReturnConnectionCreditAsync(length).ConfigureAwait(false);
            return;
        }

        int immediateCredit;
        try
        {
            immediateCredit = stream.ReceiveData(data.Span, length, frame.HasFlag(Http2FrameFlags.EndStream));
        }
        catch (Http2StreamException)
        {
            await ReturnConnectionCreditAsync(length).ConfigureAwait(false);
            throw;
        }

        if (!stream.ReaderWakePending)
        {
            stream.ReaderWakePending = true;
            streamsWithNewData.Add(stream);
        }

        await ReturnConnectionCreditAsync(immediateCredit).ConfigureAwait(false);
    }

    /// <summary>Wakes the readers of streams that received DATA since the last call.</summary>
    private void WakeReaders()
    {
        foreach (var stream in streamsWithNewData)
        {
            stream.ReaderWakePending = false;
            stream.WakeReaderIfWaiting();
        }

        streamsWithNewData.Clear();
    }

    private ValueTask HandleHeadersAsync(Http2Frame frame)
    {
        var streamId = RequireStream(frame);
        var hasPriority = frame.HasFlag(Http2FrameFlags.Priority);
        var fragment = frame.UnpaddedPayload(hasPriority ? 5 : 0);
        var dependsOnItself = false;
        if (hasPriority)
        {
            dependsOnItself = (BinaryPrimitives.ReadUInt32BigEndian(fragment.Span) & 0x7fffffffu) == (uint)streamId;
            fragment = fragment[5..];
        }

        HeaderBlockKind kind;
        if (FindStream(streamId) is not null)
        {
            kind = HeaderBlockKind.Trailers;
        }
        else if (IsIdle(streamId))
        {
            if (streamId % 2 == 0)
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"a client opened even-numbered stream {streamId}");
            }

            // Opening a stream implicitly closes every idle stream below it (section 5.1.1).
            lastClientStreamId = streamId;
            kind = HeaderBlockKind.NewRequest;
        }
        else
        {
            kind = HeaderBlockKind.ClosedStream;
        }

        headerBlockKind = kind;
        headerBlockDependsOnItself = dependsOnItself;
        headerBlock.Begin(streamId, frame.HasFlag(Http2FrameFlags.EndStream), fragment.Span);
        if (frame.HasFlag(Http2FrameFlags.EndHeaders))
        {
            CompleteHeaderBlock();
        }

        return default;
    }

    private ValueTask HandleContinuationAsync(Http2Frame frame)
    {
        if (!headerBlock.InProgress || frame.StreamId != headerBlock.StreamId)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "CONTINUATION without a header block on that stream");
        }

        headerBlock.Append(frame.Payload.Span);
        if (frame.HasFlag(Http2FrameFlags.EndHeaders))
        {
            CompleteHeaderBlock();
        }

        return default;
    }

    private void CompleteHeaderBlock()
    {
        var streamId = headerBlock.StreamId;
        var kind = headerBlockKind;
        var endStream = headerBlock.EndStream;
        var dependsOnItself = headerBlockDependsOnItself;
        var fields = new List<KeyValuePair<string, string>>();
        var withinLimit = headerBlock.DecodeAndReset(decoder, fields);

        switch (kind)
        {
            case HeaderBlockKind.NewRequest:
                OpenStream(streamId, fields, endStream, withinLimit, dependsOnItself);
                break;
            case HeaderBlockKind.Trailers:
                if (!endStream)
                {
                    throw new Http2StreamException(streamId, Http2ErrorCode.ProtocolError, "a second HEADERS frame without END_STREAM");
                }

                if (!withinLimit)
                {
                    throw new Http2StreamException(streamId, Http2ErrorCode.ProtocolError, "the trailers are too large");
                }

                if (Http2RequestHeaderValidator.ValidateTrailers(fields) is { } trailerError)
                {
                    throw new Http2StreamException(streamId, Http2ErrorCode.ProtocolError, "malformed trailers: " + trailerError);
                }

                FindStream(streamId)?.ReceiveEndOfStream();
                break;
        }
    }

    private void OpenStream(int streamId, List<KeyValuePair<string, string>> fields, bool endStream, bool withinLimit, bool dependsOnItself)
    {
        if (dependsOnItself)
        {
            throw new Http2StreamException(streamId, Http2ErrorCode.ProtocolError, "the stream depends on itself");
        }

        if (!withinLimit)
        {
            throw new Http2StreamException(streamId, Http2ErrorCode.ProtocolError, $"the header list exceeds {Http2ServerLimits.MaxHeaderListSize} octets");
        }

        if (peerGoingAway || ActiveStreamCount >= Http2ServerLimits.MaxConcurrentStreams)
        {
            throw new Http2StreamException(streamId, Http2ErrorCode.RefusedStream, "too many concurrent streams");
        }

        if (Http2RequestHeaderValidator.ValidateRequest(fields) is { } error)
        {
            throw new Http2StreamException(streamId, Http2ErrorCode.ProtocolError, "malformed request: " + error);
        }

        var stream = new Http2Stream(this, streamId, fields, endStream, peerInitialWindowSize, Http2ServerLimits.StreamReceiveWindow);
        lock (streamsLock)
        {
            streams.Add(streamId, stream);
            handlers.RemoveAll(static task => task.IsCompleted);
            handlers.Add(Task.Run(() => RunHandlerAsync(stream)));
        }
    }

    private ValueTask HandlePriority(Http2Frame frame)
    {
        var streamId = RequireStream(frame);
        if (frame.Header.Length != 5)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "a PRIORITY frame is not 5 octets");
        }

        // Priorities are advisory and ignored, except the one rule that makes a frame invalid.
        var dependency = BinaryPrimitives.ReadUInt32BigEndian(frame.Payload.Span) & 0x7fffffffu;
        if (dependency == (uint)streamId && FindStream(streamId) is not null)
        {
            throw new Http2StreamException(streamId, Http2ErrorCode.ProtocolError, "the stream depends on itself");
        }

        return default;
    }

    private ValueTask HandleRstStream(Http2Frame frame)
    {
        var streamId = RequireStream(frame);
        if (frame.Header.Length != 4)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "a RST_STREAM frame is not 4 octets");
        }

        if (IsIdle(streamId))
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"RST_STREAM on idle stream {streamId}");
        }

        var errorCode = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(frame.Payload.Span);
        if (RemoveStream(streamId) is { } stream)
        {
            stream.Abort($"The peer reset stream {streamId} ({errorCode}).");
            return ReturnConnectionCreditAsync(stream.Release());
        }

        return default;
    }

    private async ValueTask HandleSettingsAsync(Http2Frame frame)
    {
        if (Http2ControlFrames.ReadSettings(frame, peerIsServer: false) is not { } settings)
        {
            return;
        }

        if (settings.HeaderTableSize is { } tableSize)
        {
            Output.SetPeerHeaderTableSize(tableSize);
        }

        if (settings.InitialWindowSize is { } windowSize)
        {
            var delta = windowSize - peerInitialWindowSize;
            peerInitialWindowSize = windowSize;
            Http2Stream[] open;
            lock (streamsLock)
            {
                open = [.. streams.Values];
            }

            Output.ApplyInitialWindowSizeChange(open, delta);
        }

        if (settings.MaxFrameSize is { } frameSize)
        {
            Output.SetPeerMaxFrameSize(frameSize);
        }

        await Output.WriteSettingsAckAsync().ConfigureAwait(false);
    }

    private ValueTask HandlePingAsync(Http2Frame frame) =>
        Http2ControlFrames.ReadPingToAnswer(frame) is { } payload ? Output.WritePingAckAsync(payload) : default;

    private ValueTask HandleGoAway(Http2Frame frame)
    {
        var (_, errorCode, debug) = Http2ControlFrames.ReadGoAway(frame);

        // The peer opens no more streams; the ones it has go on (section 6.8).
        peerGoingAway = true;
        if (errorCode != Http2ErrorCode.NoError)
        {
            peerError = new Http2ConnectionException(errorCode, "the peer closed the connection: " + debug);
        }

        return default;
    }

    private ValueTask HandleWindowUpdate(Http2Frame frame)
    {
        if (frame.Header.Length != 4)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "a WINDOW_UPDATE frame is not 4 octets");
        }

        var increment = (int)(BinaryPrimitives.ReadUInt32BigEndian(frame.Payload.Span) & 0x7fffffffu);
        var streamId = frame.StreamId;
        if (streamId == 0)
        {
            if (increment == 0)
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "a connection WINDOW_UPDATE of 0");
            }

            Output.AddConnectionSendWindow(increment);
            return default;
        }

        if (IsIdle(streamId))
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"WINDOW_UPDATE on idle stream {streamId}");
        }

        if (FindStream(streamId) is not { } stream)
        {
            return default;
        }

        if (increment == 0)
        {
            throw new Http2StreamException(streamId, Http2ErrorCode.ProtocolError, "a stream WINDOW_UPDATE of 0");
        }

        Output.AddStreamSendWindow(stream, increment);
        return default;
    }

    private async Task RunHandlerAsync(Http2Stream stream)
    {
        try
        {
            await streamHandler(stream).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A handler's failure is contained to its stream, which is reset below.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        await CompleteStreamAsync(stream).ConfigureAwait(false);
    }

    /// <summary>After the handler: stop a request body nobody will read, or reset a response left unfinished.</summary>
    private async Task CompleteStreamAsync(Http2Stream stream)
    {
        RemoveStream(stream.Id, stream);
        if (!stream.IsAborted)
        {
            Http2ErrorCode? reset = !stream.ResponseEnded ? Http2ErrorCode.InternalError
                : !stream.RequestEnded ? Http2ErrorCode.NoError
                : null;
            stream.Abort($"Stream {stream.Id} is closed.");
            if (reset is { } code)
            {
                try
                {
                    await Output.WriteRstStreamAsync(stream.Id, code).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // The connection is going away; there is no one to tell.
                }
            }
        }

        try
        {
            await ReturnConnectionCreditAsync(stream.Release()).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }

        if (peerGoingAway && ActiveStreamCount == 0)
        {
            await stopReading.CancelAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask ResetStreamAsync(int streamId, Http2ErrorCode errorCode, string reason)
    {
        if (RemoveStream(streamId) is { } stream)
        {
            stream.Abort(reason);
            await ReturnConnectionCreditAsync(stream.Release()).ConfigureAwait(false);
        }

        await Output.WriteRstStreamAsync(streamId, errorCode).ConfigureAwait(false);
    }

    private async Task ShutDownAsync()
    {
        Http2Stream[] open;
        Task[] running;
        lock (streamsLock)
        {
            open = [.. streams.Values];
            streams.Clear();
            running = [.. handlers];
        }

        foreach (var stream in open)
        {
            stream.Abort("The HTTP/2 connection closed.");
        }

        await Output.CompleteAsync(DrainTimeout).ConfigureAwait(false);
        await Task.WhenAll(running).ConfigureAwait(false);
        foreach (var stream in open)
        {
            stream.Release();
        }

        headerBlock.Reset();
        stopReading.Dispose();
    }

    private static int RequireStream(Http2Frame frame) =>
        frame.StreamId != 0
            ? frame.StreamId
            : throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"{frame.Type} on stream 0");

    /// <summary>A stream the peer has not opened yet; we never open streams, so even ones are always idle.</summary>
    private bool IsIdle(int streamId) => streamId % 2 == 0 || streamId > lastClientStreamId;

    private Http2Stream? FindStream(int streamId)
    {
        lock (streamsLock)
        {
            return streams.GetValueOrDefault(streamId);
        }
    }

    private Http2Stream? RemoveStream(int streamId, Http2Stream? expected = null)
    {
        lock (streamsLock)
        {
            if (streams.TryGetValue(streamId, out var stream) && (expected is null || ReferenceEquals(stream, expected)))
            {
                streams.Remove(streamId);
                return stream;
            }

            return null;
        }
    }

    private enum HeaderBlockKind
    {
        NewRequest,
        Trailers,
        ClosedStream,
    }
}
