using System.Buffers;
using System.Text;
using Buildx.Core.Session.Http2.Hpack;

namespace Buildx.Core.Session.Http2;

/// <summary>
/// Everything the connection sends, and the send-side flow control. Producers (the frame loop and the
/// stream handlers) append frames to a fill buffer under one lock; a single writer loop swaps it with
/// the buffer it just wrote and hands the whole batch to the transport in one write, flushing when
/// nothing more is pending. So output is coalesced into large writes, and bounded: data producers
/// wait above <see cref="FlushThreshold"/>, control frames above <see cref="ControlLimit"/>.
/// DATA never exceeds the smaller of the stream's and the connection's send windows.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The token source has no timer and is cancelled, never waited on; nothing to release.")]
internal sealed class Http2ConnectionOutput
{
    /// <summary>Data is appended up to this many buffered bytes, which is also the typical write size.</summary>
    public const int FlushThreshold = 256 * 1024;

    /// <summary>Control frames and header blocks may go beyond the data threshold up to this.</summary>
    public const int ControlLimit = FlushThreshold + (64 * 1024);

    /// <summary>Payloads up to this size are serialized straight into frames when the windows allow.</summary>
    public const int DirectWriteLimit = 192 * 1024;

    /// <summary>Largest encoded header block we send; the gRPC layer keeps its messages well below.</summary>
    public const int MaxHeaderBlockLength = 32 * 1024;

    /// <summary>Room kept past the control limit for the final GOAWAY, so it never waits.</summary>
    private const int GoAwayReserve = 512;
    private const int MaxGoAwayDebugLength = 256;

    private readonly Stream transport;
    private readonly object gate = new();
    private readonly HpackEncoder encoder = new();
    private readonly byte[] headerBlock = ArrayPool<byte>.Shared.Rent(MaxHeaderBlockLength);
    private readonly Http2DataFrameBufferWriter frameWriter = new();
    private readonly List<TaskCompletionSource> blockedProducers = [];
    private readonly CancellationTokenSource writeAbort = new();
    // Pooled: a session's connection is short-lived and these are large.
    private byte[] fillBuffer = ArrayPool<byte>.Shared.Rent(ControlLimit + GoAwayReserve);
    private byte[] writeBuffer = ArrayPool<byte>.Shared.Rent(ControlLimit + GoAwayReserve);
    private int fillLength;
    private TaskCompletionSource? writerWakeup;
    private long connectionSendWindow = Http2ServerLimits.DefaultInitialWindowSize;
    private int maxFrameSize = Http2ServerLimits.DefaultMaxFrameSize;
    private bool completed;
    private Exception? failure;
    private Task writerLoop = Task.CompletedTask;

    public Http2ConnectionOutput(Stream transport)
    {
        this.transport = transport;
    }

    public void Start() => writerLoop = Task.Run(WriteLoopAsync);

    public ValueTask WriteSettingsAsync(KeyValuePair<Http2SettingId, uint>[] settings) =>
        WriteControlAsync(
            Http2FrameHeader.Size + (settings.Length * Http2FrameWriter.SettingSize),
            settings,
            static (span, state) => Http2FrameWriter.WriteSettings(span, state));

    public ValueTask WriteSettingsAckAsync() =>
        WriteControlAsync(Http2FrameHeader.Size, 0, static (span, _) => Http2FrameWriter.WriteSettingsAck(span));

    public ValueTask WritePingAckAsync(ulong opaqueData) =>
        WriteControlAsync(Http2FrameWriter.PingSize, opaqueData, static (span, data) => Http2FrameWriter.WritePing(span, ack: true, data));

    public ValueTask WriteWindowUpdateAsync(int streamId, int increment) =>
        WriteControlAsync(
            Http2FrameWriter.WindowUpdateSize,
            (streamId, increment),
            static (span, state) => Http2FrameWriter.WriteWindowUpdate(span, state.streamId, state.increment));

    public ValueTask WriteRstStreamAsync(int streamId, Http2ErrorCode errorCode) =>
        WriteControlAsync(
            Http2FrameWriter.RstStreamSize,
            (streamId, errorCode),
            static (span, state) => Http2FrameWriter.WriteRstStream(span, state.streamId, state.errorCode));

    /// <summary>
    /// Appends a GOAWAY without waiting (it has reserved room) and accepts nothing after it.
    /// Returns false when the transport already failed.
    /// </summary>
    public bool TryWriteGoAway(int lastStreamId, Http2ErrorCode errorCode, string debugMessage)
    {
        var debug = Encoding.UTF8.GetBytes(debugMessage);
        var length = Math.Min(debug.Length, MaxGoAwayDebugLength);
        lock (gate)
        {
            if (completed || failure is not null)
            {
                return false;
            }

            fillLength += Http2FrameWriter.WriteGoAway(fillBuffer.AsSpan(fillLength), lastStreamId, errorCode, debug.AsSpan(0, length));
            completed = true;
            WakeWriter();
            WakeBlockedProducers();
            return true;
        }
    }

    public async ValueTask WriteHeadersAsync(Http2Stream stream, IReadOnlyList<KeyValuePair<string, string>> fields, bool endStream, CancellationToken cancellationToken)
    {
        var bound = HpackEncoder.MaxEncodedLength(fields);
        if (bound > MaxHeaderBlockLength)
        {
            throw new InvalidOperationException($"A header block of up to {bound} octets exceeds the {MaxHeaderBlockLength} this server sends.");
        }

        while (true)
        {
            Task wait;
            lock (gate)
            {
                ThrowIfUnwritable(stream);
                if (fillLength + Http2FrameWriter.HeaderBlockFramedLength(bound, maxFrameSize) <= ControlLimit)
                {
                    // Encoding changes the HPACK table, so it happens here, in output order.
                    var encoded = encoder.Encode(fields, headerBlock);
                    fillLength += Http2FrameWriter.WriteHeaderBlock(
                        fillBuffer.AsSpan(fillLength), stream.Id, headerBlock.AsSpan(0, encoded), endStream, maxFrameSize);
                    stream.ResponseEnded |= endStream;
                    WakeWriter();
                    return;
                }

                wait = BlockProducer();
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends bytes as DATA frames, as fast as the windows and the buffer allow.</summary>
    public async ValueTask WriteDataAsync(Http2Stream stream, ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (gate)
            {
                ThrowIfUnwritable(stream);
                if (TryAppendData(stream, ref data, endStream))
                {
                    return;
                }

                wait = BlockProducer();
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends a payload as DATA. When both windows cover it and it fits the buffer, it serializes itself
    /// straight into the frames; otherwise it is serialized to a pooled buffer and sent in pieces.
    /// </summary>
    public async ValueTask WriteDataAsync(Http2Stream stream, IHttp2DataSource source, CancellationToken cancellationToken)
    {
        var length = source.Length;
        if (length <= DirectWriteLimit)
        {
            while (true)
            {
                Task? wait = null;
                lock (gate)
                {
                    ThrowIfUnwritable(stream);
                    if (Math.Min(stream.SendWindow, connectionSendWindow) < length)
                    {
                        // Not enough credit for all of it: fall back to sending it in pieces.
                    }
                    else if (fillLength + Http2DataFrameBufferWriter.FramedLength(length, maxFrameSize) <= FlushThreshold || fillLength == 0)
                    {
                        frameWriter.Start(fillBuffer, fillLength, stream.Id, maxFrameSize, length);
                        source.WriteTo(frameWriter);
                        fillLength += frameWriter.Finish(fillLength);
                        stream.SendWindow -= length;
                        connectionSendWindow -= length;
                        WakeWriter();
                        return;
                    }
                    else
                    {
                        wait = BlockProducer();
                    }
                }

                if (wait is null)
                {
                    break;
                }

                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            var writer = new FixedArrayBufferWriter(rented);
            source.WriteTo(writer);
            if (writer.Written != length)
            {
                throw new InvalidOperationException($"The payload wrote {writer.Written} bytes but announced {length}.");
            }

            await WriteDataAsync(stream, rented.AsMemory(0, length), endStream: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Applies a connection WINDOW_UPDATE.</summary>
    public void AddConnectionSendWindow(int increment)
    {
        lock (gate)
        {
            if (connectionSendWindow + increment > Http2ServerLimits.MaxWindowSize)
            {
                throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "a WINDOW_UPDATE overflows the connection window");
            }

            connectionSendWindow += increment;
            WakeBlockedProducers();
        }
    }

    /// <summary>Applies a stream WINDOW_UPDATE.</summary>
    public void AddStreamSendWindow(Http2Stream stream, int increment)
    {
        lock (gate)
        {
            if (stream.SendWindow + increment > Http2ServerLimits.MaxWindowSize)
            {
                throw new Http2StreamException(stream.Id, Http2ErrorCode.FlowControlError, "a WINDOW_UPDATE overflows the stream window");
            }

            stream.SendWindow += increment;
            WakeBlockedProducers();
        }
    }

    /// <summary>A new SETTINGS_INITIAL_WINDOW_SIZE shifts every open stream's window by the difference (RFC 9113 section 6.9.2).</summary>
    public void ApplyInitialWindowSizeChange(IEnumerable<Http2Stream> streams, int delta)
    {
        lock (gate)
        {
            foreach (var stream in streams)
            {
                if (stream.SendWindow + delta > Http2ServerLimits.MaxWindowSize)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE overflows a stream window");
                }

                stream.SendWindow += delta;
            }

            WakeBlockedProducers();
        }
    }

    public void SetPeerMaxFrameSize(int size)
    {
        lock (gate)
        {
            maxFrameSize = Math.Min(size, Http2ServerLimits.MaxSendFrameSize);
        }
    }

    public void SetPeerHeaderTableSize(int size)
    {
        lock (gate)
        {
            encoder.SetPeerTableSizeLimit(size);
        }
    }

    /// <summary>Lets blocked producers re-check their stream, e.g. after it was reset.</summary>
    public void WakeBlockedProducers()
    {
        lock (gate)
        {
            foreach (var producer in blockedProducers)
            {
                producer.TrySetResult();
            }

            blockedProducers.Clear();
        }
    }

    /// <summary>
    /// Accepts no more frames, lets the writer send what is buffered, and waits for it; a transport
    /// that takes longer than <paramref name="drainTimeout"/> is abandoned.
    /// </summary>
    public async Task CompleteAsync(TimeSpan drainTimeout)
    {
        lock (gate)
        {
            completed = true;
            WakeWriter();
            WakeBlockedProducers();
        }

        try
        {
            await writerLoop.WaitAsync(drainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await writeAbort.CancelAsync().ConfigureAwait(false);
            // A write that ignores cancellation may still hold a buffer: leave them to the GC.
            return;
        }

        lock (gate)
        {
            ArrayPool<byte>.Shared.Return(fillBuffer);
            ArrayPool<byte>.Shared.Return(writeBuffer);
            ArrayPool<byte>.Shared.Return(headerBlock);
            fillBuffer = writeBuffer = [];
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                Task? wakeup = null;
                int count;
                lock (gate)
                {
                    count = fillLength;
                    if (count == 0)
                    {
                        if (completed)
                        {
                            return;
                        }

                        writerWakeup = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        wakeup = writerWakeup.Task;
                    }
                    else
                    {
                        (fillBuffer, writeBuffer) = (writeBuffer, fillBuffer);
                        fillLength = 0;
                        WakeBlockedProducers();
                    }
                }

                if (wakeup is not null)
                {
                    await wakeup.ConfigureAwait(false);
                    continue;
                }

                await transport.WriteAsync(writeBuffer.AsMemory(0, count), writeAbort.Token).ConfigureAwait(false);
                bool idle;
                lock (gate)
                {
                    idle = fillLength == 0;
                }

                if (idle)
                {
                    await transport.FlushAsync(writeAbort.Token).ConfigureAwait(false);
                }
            }
        }
#pragma warning disable CA1031 // Any transport failure ends the output; producers see it as an IOException.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            lock (gate)
            {
                failure ??= exception;
                completed = true;
                WakeBlockedProducers();
            }
        }
    }

    private async ValueTask WriteControlAsync<TState>(int size, TState state, FrameFormatter<TState> format)
    {
        while (true)
        {
            Task wait;
            lock (gate)
            {
                ThrowIfClosed();
                if (fillLength + size <= ControlLimit)
                {
                    fillLength += format(fillBuffer.AsSpan(fillLength, size), state);
                    WakeWriter();
                    return;
                }

                wait = BlockProducer();
            }

            await wait.ConfigureAwait(false);
        }
    }

    /// <summary>Appends as many DATA frames as windows and buffer allow; true once all of it (and END_STREAM) is out.</summary>
    private bool TryAppendData(Http2Stream stream, ref ReadOnlyMemory<byte> data, bool endStream)
    {
        var appended = false;
        try
        {
            while (true)
            {
                var room = FlushThreshold - fillLength - Http2FrameHeader.Size;
                if (data.IsEmpty)
                {
                    if (!endStream)
                    {
                        return true;
                    }

                    if (room < 0)
                    {
                        return false;
                    }

                    fillLength += Http2FrameWriter.WriteData(fillBuffer.AsSpan(fillLength), stream.Id, default, endStream: true);
                    stream.ResponseEnded = true;
                    appended = true;
                    return true;
                }

                var credit = Math.Min(stream.SendWindow, connectionSendWindow);
                var chunk = (int)Math.Min(Math.Min(credit, data.Length), Math.Min(room, maxFrameSize));
                if (chunk <= 0)
                {
                    return false;
                }

                var last = chunk == data.Length;
                fillLength += Http2FrameWriter.WriteData(fillBuffer.AsSpan(fillLength), stream.Id, data.Span[..chunk], endStream && last);
                stream.SendWindow -= chunk;
                connectionSendWindow -= chunk;
                appended = true;
                data = data[chunk..];
                if (last)
                {
                    stream.ResponseEnded |= endStream;
                    return true;
                }
            }
        }
        finally
        {
            if (appended)
            {
                WakeWriter();
            }
        }
    }

    private Task BlockProducer()
    {
        var producer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        blockedProducers.Add(producer);
        return producer.Task;
    }

    private void WakeWriter()
    {
        writerWakeup?.TrySetResult();
        writerWakeup = null;
    }

    private void ThrowIfClosed()
    {
        if (failure is not null)
        {
            throw new IOException("The HTTP/2 connection's transport failed: " + failure.Message, failure);
        }

        if (completed)
        {
            throw new IOException("The HTTP/2 connection is closed.");
        }
    }

    private void ThrowIfUnwritable(Http2Stream stream)
    {
        stream.ThrowIfAborted();
        ThrowIfClosed();
        if (stream.ResponseEnded)
        {
            throw new InvalidOperationException($"The response on stream {stream.Id} has already ended.");
        }
    }

    /// <summary>Lays out one control frame; returns its length.</summary>
    private delegate int FrameFormatter<in TState>(Span<byte> destination, TState state);

    /// <summary>Serializes into a fixed array, for payloads that cannot go straight into frames.</summary>
    private sealed class FixedArrayBufferWriter(byte[] array) : IBufferWriter<byte>
    {
        public int Written { get; private set; }

        public void Advance(int count) => Written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => array.AsMemory(Available(sizeHint));

        public Span<byte> GetSpan(int sizeHint = 0) => array.AsSpan(Available(sizeHint));

        private int Available(int sizeHint) =>
            array.Length - Written >= Math.Max(1, sizeHint)
                ? Written
                : throw new InvalidOperationException("The payload writes more than it announced.");
    }
}
