using Buildx.Core.Session.Grpc;
using Buildx.Core.Session.Http2;

namespace Buildx.Core.Session;

/// <summary>
/// The byte tunnel inside one <c>Control.Session</c> call, as a duplex Stream. Each write becomes one
/// <c>BytesMessage</c> (more for very large writes), framed straight into DATA frames and flushed before
/// the write completes; reads return the payloads of the daemon's messages in order and 0 when the
/// call ends with OK. The session's HTTP/2 server runs on top of it.
/// </summary>
internal sealed class ControlSessionStream : Stream
{
    /// <summary>
    /// Larger writes are split into messages of this size: far below the 4 MiB a gRPC server accepts
    /// by default, far above what framing costs.
    /// </summary>
    public const int MaxMessagePayload = 1024 * 1024;

    private readonly Http2ClientConnection connection;
    private readonly BytesMessageResponse response;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly byte[] messagePrefix = new byte[BytesMessageFraming.MaxPrefixLength];
    private int disposed;

    internal ControlSessionStream(Http2ClientConnection connection, BytesMessageResponse response)
    {
        this.connection = connection;
        this.response = response;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var read = await response.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        await connection.ReturnCreditAsync(read).ConfigureAwait(false);
        return read;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (buffer.IsEmpty)
        {
            // An empty BytesMessage would carry nothing.
            return;
        }

        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        var messageStarted = false;
        try
        {
            // Each message is flushed before the write completes: the caller may be waiting for an answer.
            while (!buffer.IsEmpty)
            {
                var payload = buffer[..Math.Min(buffer.Length, MaxMessagePayload)];
                var prefixLength = BytesMessageFraming.WritePrefix(messagePrefix, payload.Length);
                messageStarted = true;
                await connection.WriteDataAsync(messagePrefix.AsMemory(0, prefixLength), payload, cancellationToken).ConfigureAwait(false);
                messageStarted = false;
                buffer = buffer[payload.Length..];
            }
        }
        catch (OperationCanceledException) when (messageStarted)
        {
            // Part of a message may be out already; the call cannot carry another one.
            await connection.ResetAsync(Http2ErrorCode.Cancel, "A write to the session tunnel was cancelled mid-message.").ConfigureAwait(false);
            throw;
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>
    /// Half-closes the tunnel (END_STREAM) after any write in progress: the daemon sees the session end
    /// and finishes the call. Harmless when the call is already over; <paramref name="cancellationToken"/>
    /// bounds the wait for a write stuck on flow control.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.EndRequestAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or InvalidOperationException)
        {
            // Already ended by either side: nothing left to half-close.
        }
        finally
        {
            writeLock.Release();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>
    /// The session server's writer writes synchronously from a thread of its own: its messages go straight
    /// into the connection's output (and out, when nobody else is writing), without thread-pool work.
    /// </summary>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (buffer.IsEmpty)
        {
            return;
        }

        writeLock.Wait();
        try
        {
            while (!buffer.IsEmpty)
            {
                var payload = buffer[..Math.Min(buffer.Length, MaxMessagePayload)];
                var prefixLength = BytesMessageFraming.WritePrefix(messagePrefix, payload.Length);
                connection.WriteDataBlocking(messagePrefix.AsSpan(0, prefixLength), payload, CancellationToken.None);
                buffer = buffer[payload.Length..];
            }
        }
        finally
        {
            writeLock.Release();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Writes are flushed as they complete; this only waits for anything still on its way.</summary>
    public override void Flush() => connection.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => connection.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Half-closes if still possible and closes the connection.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        if (writeLock.CurrentCount == 0)
        {
            // A write is under way: END_STREAM could follow half a message, so reset instead.
            await connection.ResetAsync(Http2ErrorCode.Cancel, "The session tunnel was closed during a write.").ConfigureAwait(false);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        response.Release();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Volatile.Read(ref disposed) == 0)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}
