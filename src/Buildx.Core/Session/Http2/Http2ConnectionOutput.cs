using System.Buffers;
using System.Text;
using Buildx.Core.Session.Http2.Hpack;

namespace Buildx.Core.Session.Http2;

/// <summary>
/// Everything the connection sends, and the send-side flow control. Producers (the frame loop and the
/// stream handlers) append frames to a fill buffer under one lock; whoever holds the writer role swaps
/// it with the buffer just written and hands the whole batch to the transport in one write. That is
/// normally the writer loop, which flushes when nothing more is pending; a producer that waits for its
/// bytes anyway (<see cref="WriteDataAndFlushAsync"/>) takes the role itself when it is free, which
/// spares a thread switch per write. So output is coalesced into large writes, and bounded: data
/// producers wait above <see cref="FlushThreshold"/>, control frames above <see cref="ControlLimit"/>.
/// DATA never exceeds the smaller of the stream's and the connection's send windows. The server's
/// connection and the client's share this class.
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
    private readonly byte[] headerBlock = new byte[MaxHeaderBlockLength];
    private readonly Http2DataFrameBufferWriter frameWriter = new();
    private readonly List<TaskCompletionSource> blockedProducers = [];
    private readonly List<(long Batch, TaskCompletionSource Waiter)> flushWaiters = [];
    private readonly CancellationTokenSource writeAbort = new();
    private byte[] fillBuffer = new byte[ControlLimit + GoAwayReserve];
    private byte[] writeBuffer = new byte[ControlLimit + GoAwayReserve];
    private int fillLength;

    // Batches are numbered as the writer takes them; a flush waiter waits for its batch's number.
    private long batchesTaken;
    private long batchesFlushed;

    /// <summary>Someone (the writer loop or a producer) is writing a batch from <see cref="writeBuffer"/>.</summary>
    private bool writing;

    /// <summary>Producers waiting in <see cref="WriteDataBlocking"/> for credit, room or the writer role.</summary>
    private int blockingProducers;

    /// <summary>Those of them that wait for the writer role: the writer loop leaves the next batch to them.</summary>
    private int roleWaiters;

    /// <summary>A blocking producer asked for a flush while another writer had the role.</summary>
    private bool flushRequested;
    /// <summary>The writer loop waits on the lock for something to write.</summary>
    private bool writerWaiting;
    private long connectionSendWindow = Http2ServerLimits.DefaultInitialWindowSize;
    private int maxFrameSize = Http2ServerLimits.DefaultMaxFrameSize;
    private bool completed;
    private Exception? failure;
    private Task writerLoop = Task.CompletedTask;

    public Http2ConnectionOutput(Stream transport)
    {
        this.transport = transport;
    }


    public void Start() =>
        writerLoop = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>The client connection preface (RFC 9113 section 3.4); a client sends it before any frame.</summary>
    public ValueTask WriteClientPrefaceAsync() =>
        WriteControlAsync(Http2FrameReader.ClientPreface.Length, 0, static (span, _) =>
        {
            Http2FrameReader.ClientPreface.CopyTo(span);
            return Http2FrameReader.ClientPreface.Length;
        });

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

    public async ValueTask WriteHeadersAsync(IHttp2SendStream stream, IReadOnlyList<KeyValuePair<string, string>> fields, bool endStream, CancellationToken cancellationToken)
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
                    stream.SendEnded |= endStream;
                    WakeWriter();
                    return;
                }

                wait = BlockProducer();
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends bytes as DATA frames, as fast as the windows and the buffer allow.</summary>
    public async ValueTask WriteDataAsync(IHttp2SendStream stream, ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
    {
        var prefix = ReadOnlyMemory<byte>.Empty;
        while (true)
        {
            Task wait;
            lock (gate)
            {
                ThrowIfUnwritable(stream);
                if (TryAppendData(stream, ref prefix, ref data, endStream, wakeWriter: true))
                {
                    return;
                }

                wait = BlockProducer();
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends <paramref name="prefix"/> followed by <paramref name="data"/> as one run of DATA frames (a
    /// small header shares frames with the bytes it describes; neither is copied but into the output
    /// buffer) and completes once they are written and flushed. Whenever nobody else is writing, the
    /// caller writes the batch to the transport itself instead of waking the writer loop and waiting
    /// for it: a single bulk producer then costs no thread switches. <paramref name="cancellationToken"/>
    /// cancels waiting (for window credit, buffer room or another writer), never a transport write half done.
    /// </summary>
    public async ValueTask WriteDataAndFlushAsync(
        IHttp2SendStream stream,
        ReadOnlyMemory<byte> prefix,
        ReadOnlyMemory<byte> data,
        bool endStream,
        CancellationToken cancellationToken)
    {
        long? lastBatch = null; // the batch holding our last bytes, once everything is appended
        while (true)
        {
            Task wait;
            int count;
            long batch;
            lock (gate)
            {
                if (lastBatch is null)
                {
                    ThrowIfUnwritable(stream);
                    if (TryAppendData(stream, ref prefix, ref data, endStream, wakeWriter: false))
                    {
                        lastBatch = fillLength > 0 ? batchesTaken + 1 : batchesTaken;
                    }
                }
                else
                {
                    ThrowIfFailed();
                }

                if (batchesFlushed >= lastBatch)
                {
                    return;
                }

                if (fillLength > 0 && !writing)
                {
                    (count, batch) = TakeBatch();
                    wait = Task.CompletedTask;
                }
                else
                {
                    // Another writer has the role and will take what is buffered; wait for credit, room or the flush.
                    (count, batch) = (0, 0);
                    wait = lastBatch is null ? BlockProducer() : AddFlushWaiter(lastBatch.Value);
                }
            }

            if (count > 0)
            {
                await WriteBatchAsync(count, batch).ConfigureAwait(false);
            }
            else
            {
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The blocking form of <see cref="WriteDataAsync(IHttp2SendStream, ReadOnlyMemory{byte}, bool, CancellationToken)"/>
    /// for a bulk producer on a thread of its own (file contents): it hands nothing to the thread pool. It
    /// waits on the connection's lock for credit, room or the writer role, and writes full batches to the
    /// transport itself while it has bytes to send; the writer loop leaves batches to it meanwhile. Sending
    /// a large file through the async path cost a pool hop per batch for the producer, the writer loop and
    /// the socket completion, and idle pool threads spinning between those hops were half the client's CPU.
    /// Without <paramref name="flush"/> the last partial batch stays buffered for the producer's next write
    /// (many small files then share one transport write); the producer must flush once it goes idle. With it,
    /// the call returns once the bytes are written, or handed to whoever is writing.
    /// </summary>
    public void WriteDataBlocking(
        IHttp2SendStream stream,
        ReadOnlySpan<byte> prefix,
        ReadOnlySpan<byte> data,
        bool endStream,
        bool flush,
        CancellationToken cancellationToken)
    {
        CancellationTokenRegistration cancellation = default;
        var appended = false;
        try
        {
            while (true)
            {
                int count;
                long batch;
                lock (gate)
                {
                    if (!appended)
                    {
                        ThrowIfUnwritable(stream);
                        appended = TryAppendData(stream, prefix, data, endStream, out var fromPrefix, out var fromData, out _);
                        prefix = prefix[fromPrefix..];
                        data = data[fromData..];
                    }
                    else
                    {
                        ThrowIfFailed();
                    }

                    var mustFlush = flush || flushRequested;
                    if (appended && (!mustFlush || fillLength == 0))
                    {
                        return;
                    }

                    if (fillLength > 0 && !writing)
                    {
                        (count, batch) = TakeBatch();
                    }
                    else if (appended)
                    {
                        // Someone else is writing: whoever lets go of the role sees the request.
                        flushRequested = true;
                        return;
                    }
                    else
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (cancellation == default && cancellationToken.CanBeCanceled)
                        {
                            cancellation = cancellationToken.UnsafeRegister(static state => ((Http2ConnectionOutput)state!).PulseWaitersLocked(), this);
                        }

                        WaitAsBlockingProducer();
                        continue;
                    }
                }

                WriteBatch(count, batch, byProducer: true);
            }
        }
        finally
        {
            cancellation.Dispose();
            if (!appended)
            {
                lock (gate)
                {
                    // Failed or cancelled: what is buffered goes out with the writer loop, which left batches to us.
                    if (fillLength > 0 && !writing && roleWaiters == 0)
                    {
                        WakeWriter();
                    }
                }
            }
        }
    }

    /// <summary>
    /// Sends a payload as DATA. When both windows cover it and it fits the buffer, it serializes itself
    /// straight into the frames; otherwise it is serialized to a pooled buffer and sent in pieces.
    /// </summary>
    public async ValueTask WriteDataAsync(IHttp2SendStream stream, IHttp2DataSource source, CancellationToken cancellationToken)
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
    public void AddStreamSendWindow(IHttp2SendStream stream, int increment)
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
    public void ApplyInitialWindowSizeChange(IEnumerable<IHttp2SendStream> streams, int delta)
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
            if (blockingProducers > 0)
            {
                Monitor.PulseAll(gate);
            }
        }
    }

    /// <summary>
    /// Completes once everything appended so far has been written to the transport and flushed, so a
    /// producer knows its frames left (and sees the transport's failure if they could not).
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        Task flushed;
        lock (gate)
        {
            ThrowIfFailed();
            var batch = fillLength > 0 ? batchesTaken + 1 : batchesTaken;
            if (batchesFlushed >= batch)
            {
                return Task.CompletedTask;
            }

            flushed = AddFlushWaiter(batch);
        }

        return flushed.WaitAsync(cancellationToken);
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
        }
    }

    /// <summary>
    /// The writer loop, on a thread of its own: it waits on the lock and writes synchronously, so frames
    /// appended by the frame loop (PING and SETTINGS acks, WINDOW_UPDATEs) and by async producers go out
    /// without a thread-pool hop per wake-up and per socket completion.
    /// </summary>
    private void WriteLoop()
    {
        try
        {
            while (true)
            {
                int count;
                long batch;
                lock (gate)
                {
                    while (true)
                    {
                        if (failure is not null)
                        {
                            return;
                        }

                        if (fillLength > 0 && !writing && roleWaiters == 0)
                        {
                            (count, batch) = TakeBatch();
                            break;
                        }

                        if (fillLength == 0 && completed && !writing)
                        {
                            return;
                        }

                        // Nothing to write, or a producer holds the role or waits for it; it pulses when it lets go.
                        writerWaiting = true;
                        Monitor.Wait(gate);
                        writerWaiting = false;
                    }
                }

                WriteBatch(count, batch, byProducer: false);
            }
        }
#pragma warning disable CA1031 // WriteBatch recorded the failure; producers see it as an IOException.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            lock (gate)
            {
                ReleaseFlushWaiters(failure is null ? null : TransportFailed());
            }
        }
    }

    /// <summary>Takes the writer role and the buffered frames; under the lock.</summary>
    private (int Count, long Batch) TakeBatch()
    {
        writing = true;
        (fillBuffer, writeBuffer) = (writeBuffer, fillBuffer);
        var count = fillLength;
        fillLength = 0;
        flushRequested = false;
        WakeBlockedProducers();
        return (count, ++batchesTaken);
    }

    /// <summary>
    /// Writes a taken batch on the calling thread (the writer loop's or a blocking producer's) and gives the
    /// writer role back. The writer loop flushes only when idle (a busy writer's batches stay large) or when
    /// someone waits for a flush; a producer writing its own bytes always does.
    /// </summary>
    private void WriteBatch(int count, long batch, bool byProducer)
    {
        try
        {
            transport.Write(writeBuffer, 0, count);
            bool flush;
            lock (gate)
            {
                flush = byProducer || fillLength == 0 || flushWaiters.Count > 0;
            }

            if (flush)
            {
                transport.Flush();
            }

            ReleaseRole(batch, flush);
        }
        catch (Exception exception)
        {
            throw FailTransport(exception);
        }
    }

    /// <summary>The async producer's form of <see cref="WriteBatch"/> (<see cref="WriteDataAndFlushAsync"/>).</summary>
    private async Task WriteBatchAsync(int count, long batch)
    {
        try
        {
            await transport.WriteAsync(writeBuffer.AsMemory(0, count), writeAbort.Token).ConfigureAwait(false);
            await transport.FlushAsync(writeAbort.Token).ConfigureAwait(false);
            ReleaseRole(batch, flushed: true);
        }
        catch (Exception exception)
        {
            throw FailTransport(exception);
        }
    }

    private void ReleaseRole(long batch, bool flushed)
    {
        lock (gate)
        {
            writing = false;
            if (flushed)
            {
                batchesFlushed = batch;
                ReleaseFlushWaiters(null);
            }

            // Blocking producers may take the role, and the writer loop takes what others appended.
            PulseWaiters();
        }
    }

    /// <summary>Records a transport failure, fails everyone waiting, and returns what the writer throws.</summary>
    private IOException FailTransport(Exception exception)
    {
        lock (gate)
        {
            failure ??= exception;
            completed = true;
            writing = false;
            WakeBlockedProducers();
            ReleaseFlushWaiters(TransportFailed());
            PulseWaiters();
        }

        return TransportFailed();
    }

    /// <summary>Waits on the lock (held) until credit, room, the writer role, a failure or cancellation changes something.</summary>
    private void WaitAsBlockingProducer()
    {
        // Waiting for credit with nothing buffered (not for the role) must not hold back control frames.
        var forRole = writing;
        blockingProducers++;
        roleWaiters += forRole ? 1 : 0;
        try
        {
            Monitor.Wait(gate);
        }
        finally
        {
            blockingProducers--;
            roleWaiters -= forRole ? 1 : 0;
        }
    }

    private Task AddFlushWaiter(long batch)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flushWaiters.Add((batch, waiter));
        return waiter.Task;
    }

    /// <summary>Completes the flush waiters whose batch is out; with an error, fails all the others.</summary>
    private void ReleaseFlushWaiters(Exception? error)
    {
        for (var i = flushWaiters.Count - 1; i >= 0; i--)
        {
            var (batch, waiter) = flushWaiters[i];
            if (batch <= batchesFlushed)
            {
                waiter.TrySetResult();
            }
            else if (error is not null)
            {
                waiter.TrySetException(error);
            }
            else
            {
                continue;
            }

            flushWaiters.RemoveAt(i);
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

    /// <summary>
    /// Appends as many DATA frames as windows and buffer allow, taking <paramref name="prefix"/> first and
    /// then <paramref name="data"/>; true once all of it (and END_STREAM) is out.
    /// </summary>
    private bool TryAppendData(IHttp2SendStream stream, ref ReadOnlyMemory<byte> prefix, ref ReadOnlyMemory<byte> data, bool endStream, bool wakeWriter)
    {
        var done = TryAppendData(stream, prefix.Span, data.Span, endStream, out var fromPrefix, out var fromData, out var appended);
        prefix = prefix[fromPrefix..];
        data = data[fromData..];
        if (appended && wakeWriter)
        {
            WakeWriter();
        }

        return done;
    }

    /// <summary>The span form: reports how much of each part went out, and whether any frame was appended.</summary>
    private bool TryAppendData(
        IHttp2SendStream stream,
        ReadOnlySpan<byte> prefix,
        ReadOnlySpan<byte> data,
        bool endStream,
        out int fromPrefix,
        out int fromData,
        out bool appended)
    {
        fromPrefix = 0;
        fromData = 0;
        appended = false;
        while (true)
        {
            var room = FlushThreshold - fillLength - Http2FrameHeader.Size;
            var remaining = prefix.Length - fromPrefix + data.Length - fromData;
            if (remaining == 0)
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
                stream.SendEnded = true;
                appended = true;
                return true;
            }

            var credit = Math.Min(stream.SendWindow, connectionSendWindow);
            var chunk = (int)Math.Min(Math.Min(credit, remaining), Math.Min(room, maxFrameSize));
            if (chunk <= 0)
            {
                return false;
            }

            var last = chunk == remaining;
            var flags = endStream && last ? Http2FrameFlags.EndStream : Http2FrameFlags.None;
            new Http2FrameHeader(chunk, Http2FrameType.Data, flags, stream.Id).WriteTo(fillBuffer.AsSpan(fillLength));
            var payload = fillBuffer.AsSpan(fillLength + Http2FrameHeader.Size, chunk);
            var takePrefix = Math.Min(chunk, prefix.Length - fromPrefix);
            prefix.Slice(fromPrefix, takePrefix).CopyTo(payload);
            data.Slice(fromData, chunk - takePrefix).CopyTo(payload[takePrefix..]);
            fromPrefix += takePrefix;
            fromData += chunk - takePrefix;
            fillLength += Http2FrameHeader.Size + chunk;
            stream.SendWindow -= chunk;
            connectionSendWindow -= chunk;
            appended = true;
            if (last)
            {
                stream.SendEnded |= endStream;
                return true;
            }
        }
    }

    private Task BlockProducer()
    {
        var producer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        blockedProducers.Add(producer);
        return producer.Task;
    }

    /// <summary>Under the lock: the writer loop re-checks for a batch.</summary>
    private void WakeWriter()
    {
        if (writerWaiting)
        {
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>Under the lock: the writer loop and blocking producers re-check their conditions.</summary>
    private void PulseWaiters()
    {
        if (writerWaiting || blockingProducers > 0)
        {
            Monitor.PulseAll(gate);
        }
    }

    private void PulseWaitersLocked()
    {
        lock (gate)
        {
            PulseWaiters();
        }
    }

    private void ThrowIfFailed()
    {
        if (failure is not null)
        {
            throw TransportFailed();
        }
    }

    private IOException TransportFailed() => new("The HTTP/2 connection's transport failed: " + failure!.Message, failure);

    private void ThrowIfClosed()
    {
        ThrowIfFailed();
        if (completed)
        {
            throw new IOException("The HTTP/2 connection is closed.");
        }
    }

    private void ThrowIfUnwritable(IHttp2SendStream stream)
    {
        stream.ThrowIfAborted();
        ThrowIfClosed();
        if (stream.SendEnded)
        {
            throw new InvalidOperationException($"Stream {stream.Id} has already sent END_STREAM.");
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
