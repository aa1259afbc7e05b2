namespace Buildx.Core.Session.Http2;

/// <summary>
/// One request stream as its handler sees it: the request headers, the request body as bytes
/// (<see cref="ReadAsync"/>), and the response (headers, data, trailers). Receive-side state is
/// guarded by this object's lock; send-side state (<see cref="SendWindow"/>, <see cref="ResponseEnded"/>)
/// by the connection output's lock.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The token source has no timer; handlers may hold its token after the stream ends, so it is left to the GC.")]
internal sealed class Http2Stream : IHttp2SendStream
{
    private readonly Http2ServerConnection connection;
    private readonly object sync = new();
    private readonly Http2InboundBuffer inbound = new();
    private readonly CancellationTokenSource abortSource = new();
    private TaskCompletionSource? readWaiter;

    /// <summary>A consumer waits in <see cref="ReadBlocking"/>, on the lock.</summary>
    private bool blockingReader;
    private int receiveWindow;
    private int unreturnedCredit;
    private bool requestEnded;
    private bool released;
    private volatile string? abortReason;

    internal Http2Stream(
        Http2ServerConnection connection,
        int id,
        IReadOnlyList<KeyValuePair<string, string>> requestHeaders,
        bool requestEnded,
        int sendWindow,
        int receiveWindow)
    {
        this.connection = connection;
        Id = id;
        RequestHeaders = requestHeaders;
        this.requestEnded = requestEnded;
        SendWindow = sendWindow;
        this.receiveWindow = receiveWindow;
    }

    public int Id { get; }

    /// <summary>All request fields in arrival order, pseudo-headers first.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; }

    /// <summary>Fires when the stream is reset (by either side) or the connection ends.</summary>
    public CancellationToken Aborted => abortSource.Token;

    public bool IsAborted => abortReason is not null;

    public bool RequestEnded
    {
        get
        {
            lock (sync)
            {
                return requestEnded;
            }
        }
    }

    /// <summary>Request bytes have arrived that no read has taken yet.</summary>
    public bool HasBufferedData
    {
        get
        {
            lock (sync)
            {
                return inbound.Length > 0;
            }
        }
    }

    /// <summary>The peer's remaining credit for our DATA; may go negative after a SETTINGS change.</summary>
    public long SendWindow { get; set; }

    /// <summary>Listed by the frame loop for a deferred reader wake-up (frame loop only).</summary>
    internal bool ReaderWakePending { get; set; }

    /// <summary>We have sent END_STREAM.</summary>
    internal bool ResponseEnded { get; set; }

    bool IHttp2SendStream.SendEnded
    {
        get => ResponseEnded;
        set => ResponseEnded = value;
    }

    public ValueTask WriteHeadersAsync(IReadOnlyList<KeyValuePair<string, string>> fields, bool endStream, CancellationToken cancellationToken) =>
        connection.Output.WriteHeadersAsync(this, fields, endStream, cancellationToken);

    public ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken) =>
        connection.Output.WriteDataAsync(this, data, endStream, cancellationToken);

    public ValueTask WriteDataAsync(IHttp2DataSource source, CancellationToken cancellationToken) =>
        connection.Output.WriteDataAsync(this, source, cancellationToken);

    /// <summary>Sends <paramref name="prefix"/> then <paramref name="data"/> as DATA, blocking the calling thread (a producer's own).</summary>
    public void WriteDataBlocking(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> data, bool flush, CancellationToken cancellationToken) =>
        connection.Output.WriteDataBlocking(this, prefix, data, endStream: false, flush, cancellationToken);

    /// <summary>
    /// Reads request body bytes; 0 once the peer has ended the request. Consumed bytes are returned to
    /// the peer's windows in batches.
    /// </summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            Task? wait = null;
            int read;
            int streamCredit;
            lock (sync)
            {
                if (!TryTake(destination.Span, out read, out streamCredit))
                {
                    readWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = readWaiter.Task;
                }
            }

            if (read > 0)
            {
                if (streamCredit > 0)
                {
                    await connection.Output.WriteWindowUpdateAsync(Id, streamCredit).ConfigureAwait(false);
                }

                await connection.ReturnConnectionCreditAsync(read).ConfigureAwait(false);
                return read;
            }

            if (wait is null)
            {
                return 0;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The blocking form of <see cref="ReadAsync"/>, for a consumer on a thread of its own: it waits on the
    /// stream's lock, so the frame loop hands it data without a thread-pool hop.
    /// </summary>
    public int ReadBlocking(Span<byte> destination, CancellationToken cancellationToken)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        using var cancellation = cancellationToken.UnsafeRegister(static state => ((Http2Stream)state!).PulseBlockingReader(), this);
        int read;
        int streamCredit;
        lock (sync)
        {
            while (!TryTake(destination, out read, out streamCredit))
            {
                cancellationToken.ThrowIfCancellationRequested();
                blockingReader = true;
                try
                {
                    Monitor.Wait(sync);
                }
                finally
                {
                    blockingReader = false;
                }
            }
        }

        if (read > 0)
        {
            // Appending control frames waits only when the output is full; this thread is the consumer's own.
            if (streamCredit > 0)
            {
                WaitFor(connection.Output.WriteWindowUpdateAsync(Id, streamCredit));
            }

            WaitFor(connection.ReturnConnectionCreditAsync(read));
        }

        return read;
    }

    /// <summary>
    /// Under the lock: takes buffered bytes (false when there are none yet), or sees the end (true, 0 read).
    /// Credit for the peer is counted here and returned by the caller once the lock is released.
    /// </summary>
    private bool TryTake(Span<byte> destination, out int read, out int streamCredit)
    {
        ThrowIfAborted();
        streamCredit = 0;
        read = inbound.Read(destination);
        if (read == 0)
        {
            return requestEnded;
        }

        unreturnedCredit += read;
        if (!requestEnded && unreturnedCredit >= Http2ServerLimits.WindowUpdateThreshold)
        {
            // Widen our own view first: the peer may use the credit as soon as it sees it.
            streamCredit = unreturnedCredit;
            receiveWindow += streamCredit;
            unreturnedCredit = 0;
        }

        return true;
    }

    private static void WaitFor(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    private void PulseBlockingReader()
    {
        lock (sync)
        {
            Monitor.PulseAll(sync);
        }
    }

    /// <summary>
    /// Takes a DATA payload from the frame loop. Returns the octets the connection may hand back to
    /// the peer at once (padding, or everything when the stream no longer wants data).
    /// </summary>
    internal int ReceiveData(ReadOnlySpan<byte> data, int flowControlledLength, bool endStream)
    {
        lock (sync)
        {
            if (released || abortReason is not null)
            {
                return flowControlledLength;
            }

            if (requestEnded)
            {
                throw new Http2StreamException(Id, Http2ErrorCode.StreamClosed, "DATA after the request ended");
            }

            if (flowControlledLength > receiveWindow)
            {
                throw new Http2StreamException(Id, Http2ErrorCode.FlowControlError, "DATA beyond the stream window");
            }

            receiveWindow -= flowControlledLength;
            // Padding is never read, so its credit goes back with the next batch.
            unreturnedCredit += flowControlledLength - data.Length;
            inbound.Append(data);
            if (endStream)
            {
                requestEnded = true;
                WakeReader();
            }

            // Otherwise the frame loop wakes the reader once per burst of frames (WakeReaderIfWaiting).
            return flowControlledLength - data.Length;
        }
    }

    /// <summary>Hands buffered data to a waiting reader; deferred so a burst of frames costs one wake-up.</summary>
    internal void WakeReaderIfWaiting()
    {
        lock (sync)
        {
            WakeReader();
        }
    }

    /// <summary>Trailers (a final HEADERS with END_STREAM) end the request.</summary>
    internal void ReceiveEndOfStream()
    {
        lock (sync)
        {
            if (requestEnded)
            {
                throw new Http2StreamException(Id, Http2ErrorCode.StreamClosed, "HEADERS after the request ended");
            }

            requestEnded = true;
            WakeReader();
        }
    }

    /// <summary>Ends the stream abnormally: reads and writes fail and <see cref="Aborted"/> fires.</summary>
    internal void Abort(string reason)
    {
        if (abortReason is not null)
        {
            return;
        }

        abortReason = reason;
        lock (sync)
        {
            WakeReader();
        }

        // Callbacks registered on the token run on the thread pool, not on the frame loop.
        _ = abortSource.CancelAsync();
        connection.Output.WakeBlockedProducers();
    }

    /// <summary>Drops unread data for good; returns how many octets the connection should credit back.</summary>
    internal int Release()
    {
        lock (sync)
        {
            released = true;
            return inbound.Release();
        }
    }

    public void ThrowIfAborted()
    {
        if (abortReason is { } reason)
        {
            throw new OperationCanceledException(reason, Aborted);
        }
    }

    private void WakeReader()
    {
        readWaiter?.TrySetResult();
        readWaiter = null;
        if (blockingReader)
        {
            Monitor.PulseAll(sync);
        }
    }
}
