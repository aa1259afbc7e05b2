using System.Net.Sockets;
using Buildx.Core.Session.Http2;

namespace Buildx.Core.Transport;

/// <summary>
/// A socket stream whose reads on a connection's frame-reader thread wait in the kernel (poll) and then
/// read synchronously, completing without the thread pool; reads anywhere else stay asynchronous. The
/// poll wakes now and then so that cancellation is seen within <see cref="CancellationCheckInterval"/>.
/// </summary>
internal sealed class PolledSocketReadStream(NetworkStream inner) : DelegatingStream(inner)
{
    private static readonly TimeSpan CancellationCheckInterval = TimeSpan.FromMilliseconds(200);

    private readonly Socket socket = inner.Socket;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!FrameReaderThread.IsCurrent || buffer.IsEmpty)
        {
            return Inner.ReadAsync(buffer, cancellationToken);
        }

        try
        {
            while (!socket.Poll(CancellationCheckInterval, SelectMode.SelectRead))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(socket.Receive(buffer.Span));
        }
        catch (SocketException e)
        {
            // As NetworkStream reports it.
            return ValueTask.FromException<int>(new IOException($"Unable to read data from the transport connection: {e.Message}.", e));
        }
        catch (OperationCanceledException e)
        {
            return ValueTask.FromCanceled<int>(e.CancellationToken);
        }
    }
}
