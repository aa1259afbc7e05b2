using Buildx.Core.BuildKit.Protocol.Control;
using Google.Protobuf;
using Grpc.Core;

namespace Buildx.Core.Session;

/// <summary>
/// The byte pipe inside <c>Control.Session</c> as a Stream: each write becomes one
/// <c>BytesMessage</c>, reads take the daemon's messages in order. The session's HTTP/2 server
/// runs on top of it.
/// </summary>
internal sealed class SessionTransportStream(AsyncDuplexStreamingCall<BytesMessage, BytesMessage> call) : Stream
{
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private ReadOnlyMemory<byte> pending = ReadOnlyMemory<byte>.Empty;
    private bool completed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (pending.IsEmpty)
        {
            try
            {
                if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                {
                    return 0;
                }
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Cancelled or StatusCode.Unavailable)
            {
                // The daemon or the client closed the session: the HTTP/2 server sees end of stream.
                return 0;
            }

            pending = call.ResponseStream.Current.Data.Memory;
        }

        var count = Math.Min(buffer.Length, pending.Length);
        pending[..count].CopyTo(buffer);

        pending = pending[count..];
        return count;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        // The caller reuses its buffer, so the message needs its own copy.
        var message = new BytesMessage { Data = ByteString.CopyFrom(buffer.Span) };
        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(completed, this);
            await call.RequestStream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writeLock.Release();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Half-closes the client side: the daemon sees the session end.</summary>
    public async Task CompleteAsync()
    {
        await writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!completed)
            {
                completed = true;
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or ObjectDisposedException)
        {
            // Already closed by the daemon: nothing left to half-close.
        }
        finally
        {
            writeLock.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            writeLock.Dispose();
        }

        base.Dispose(disposing);
    }
}
