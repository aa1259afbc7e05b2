using System.Net.Sockets;
using Buildx.Core.Session.Http2;

namespace Buildx.Core.Transport;

/// <summary>
/// A socket stream for a session connection whose frame loop and writer run on threads of their own.
/// Its synchronous operations wait in the kernel with poll and then move bytes with non-blocking calls,
/// so they involve neither the socket engine nor the thread pool. .NET's own synchronous calls on a
/// socket that has seen asynchronous use wait for readiness through the socket engine, which hands every
/// readiness event to a pool thread, and idle pool threads spinning between such events cost the client
/// more CPU than the transfer itself.
/// <list type="bullet">
/// <item>Reads on the frame-reader thread are polled; reads anywhere else stay asynchronous. Cancelling a
/// waiting read shuts the socket's receiving side, which ends the poll at once: the connection is being
/// given up, and its writes (a final GOAWAY) still work.</item>
/// <item>Synchronous writes send what the socket takes and poll for room for the rest.</item>
/// </list>
/// </summary>
internal sealed class PolledSocketStream : DelegatingStream
{
    /// <summary>A safety net only: cancellation and closing end the waits by themselves.</summary>
    private static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromSeconds(1);

    private readonly Socket socket;
    private readonly TimeSpan checkInterval;

    /// <summary>The socket, for a half-close.</summary>
    internal Socket Socket => socket;

    public PolledSocketStream(NetworkStream inner)
        : this(inner, DefaultCheckInterval)
    {
    }

    /// <summary>With another safety net; tests take it away to show the waits end without it.</summary>
    internal PolledSocketStream(NetworkStream inner, TimeSpan checkInterval)
        : base(inner)
    {
        this.checkInterval = checkInterval;
        socket = inner.Socket;
        // Synchronous calls then go straight to the kernel, never through the socket engine.
        socket.Blocking = false;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var sent = socket.Send(buffer, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                while (!socket.Poll(checkInterval, SelectMode.SelectWrite))
                {
                }

                continue;
            }

            if (error != SocketError.Success)
            {
                // As NetworkStream reports it.
                throw new IOException($"Unable to write data to the transport connection: {new SocketException((int)error).Message}.", new SocketException((int)error));
            }

            buffer = buffer[sent..];
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!FrameReaderThread.IsCurrent || buffer.IsEmpty)
        {
            return Inner.ReadAsync(buffer, cancellationToken);
        }

        try
        {
            using var cancellation = cancellationToken.UnsafeRegister(static state => ShutDownReceiving((Socket)state!), socket);
            while (!socket.Poll(checkInterval, SelectMode.SelectRead))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            cancellationToken.ThrowIfCancellationRequested();
            var read = socket.Receive(buffer.Span, SocketFlags.None, out var error);
            return error switch
            {
                SocketError.Success => ValueTask.FromResult(read),
                // Readable was a false alarm (it happens); wait again.
                SocketError.WouldBlock => ReadAsync(buffer, cancellationToken),
                _ => throw new SocketException((int)error),
            };
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
