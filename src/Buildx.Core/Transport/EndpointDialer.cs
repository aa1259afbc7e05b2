using System.IO.Pipes;
using System.Net.Sockets;
using Buildx.Core.Errors;

namespace Buildx.Core.Transport;

/// <summary>Opens a byte stream to an <see cref="Endpoint"/>, bounded by a connect timeout.</summary>
public static class EndpointDialer
{
    /// <summary>How long a connect may take before the endpoint counts as unreachable.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    public static async Task<Stream> DialAsync(Endpoint endpoint, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        try
        {
            return endpoint.Kind switch
            {
                EndpointKind.Unix => await DialUnixAsync(endpoint.Address, timeout.Token).ConfigureAwait(false),
                EndpointKind.Tcp => await DialTcpAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false),
                EndpointKind.NamedPipe => await DialPipeAsync(endpoint.Host, endpoint.Address, timeout.Token).ConfigureAwait(false),
                _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BuildxException(
                ErrorIds.EngineUnreachable,
                BuildxErrorKind.OperationTimeout,
                $"Could not connect to {endpoint} within {connectTimeout.TotalSeconds:0.#} s.",
                endpoint.Original);
        }
    }

    internal static async Task<Stream> DialUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects to a unix socket with blocking calls only, on the calling thread: a socket never used
    /// asynchronously stays out of .NET's socket engine (see <see cref="PolledSocketStream"/>).
    /// </summary>
    internal static NetworkStream DialUnixBlocking(string path) =>
        ConnectBlocking(new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), socket => socket.Connect(new UnixDomainSocketEndPoint(path)));

    /// <summary>
    /// A unix or TCP connection dialed with blocking calls only (see <see cref="DialUnixBlocking"/>), for a
    /// session that its own threads read and write through <see cref="PolledSocketStream"/>.
    /// </summary>
    internal static NetworkStream DialBlocking(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Kind == EndpointKind.Unix)
        {
            return DialUnixBlocking(endpoint.Address);
        }

        if (endpoint.Kind != EndpointKind.Tcp)
        {
            throw new ArgumentOutOfRangeException(nameof(endpoint), $"{endpoint} is neither a unix nor a TCP endpoint.");
        }

        return ConnectBlocking(new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }, socket => socket.Connect(endpoint.Host, endpoint.Port));
    }

    /// <summary>Connects <paramref name="socket"/> with <paramref name="connect"/>, closing it if that fails.</summary>
    private static NetworkStream ConnectBlocking(Socket socket, Action<Socket> connect)
    {
        try
        {
            connect(socket);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<Stream> DialTcpAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<Stream> DialPipeAsync(string server, string name, CancellationToken cancellationToken)
    {
        var pipe = new NamedPipeClientStream(server, name, PipeDirection.InOut, PipeOptions.Asynchronous);
        try
        {
            await pipe.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return pipe;
        }
        catch
        {
            await pipe.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
