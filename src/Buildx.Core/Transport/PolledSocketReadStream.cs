using System.Net.Sockets;
using Buildx.Core.Session.Http2;

namespace Buildx.Core.Transport;

/// <summary>
/// A socket stream whose reads on a connection's frame-reader thread wait in the kernel (poll) and then
/// read synchronously, completing without the thread pool; reads anywhere else stay asynchronous.
/// Cancelling a waiting read shuts the socket's receiving side, which ends the poll at once: the
/// connection is being given up, and its writes (a final GOAWAY) still work.
/// </summary>
internal sealed class PolledSocketReadStream(NetworkStream inner) : DelegatingStream(inner)
{
    /// <summary>A safety net only: cancellation ends the wait by itself.</summary>
    private static readonly TimeSpan CancellationCheckInterval = TimeSpan.FromSeconds(1);

    private readonly Socket socket = inner.Socket;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!FrameReaderThread.IsCurrent || buffer.IsEmpty)
        {
            return Inner.ReadAsync(buffer, cancellationToken);
        }

        try
        {
            using var cancellation = cancellationToken.UnsafeRegister(static state => ShutDownReceiving((Socket)state!), socket);
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

    private static void ShutDownReceiving(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: the poll ends by itself.
        }
    }
}
