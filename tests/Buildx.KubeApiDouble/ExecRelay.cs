using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Buildx.KubeApiDouble;

/// <summary>
/// The exec subresource over WebSocket (<c>v4.channel.k8s.io</c> / <c>v5.channel.k8s.io</c>): each
/// binary message starts with its channel (0 stdin, 1 stdout, 2 stderr, 3 status, 255 close in
/// v5). <c>buildctl dial-stdio</c> becomes a connection to the engine's BuildKit (POST /grpc,
/// upgraded to h2c) whose bytes are relayed; any other command fails as a missing binary would.
/// </summary>
internal sealed class ExecRelay(string engineSocketPath)
{
    public static readonly string[] SubProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

    private const byte StdinChannel = 0;
    private const byte StdoutChannel = 1;
    private const byte StderrChannel = 2;
    private const byte StatusChannel = 3;
    private const byte CloseChannel = 255;

    public async Task RunAsync(WebSocket socket, IReadOnlyList<string> command, CancellationToken podGone)
    {
        if (command is not ["buildctl", "dial-stdio"])
        {
            var missing = command.Count > 0 ? command[0] : string.Empty;
            await SendAsync(socket, StderrChannel, Encoding.UTF8.GetBytes($"exec: \"{missing}\": not supported by the API double\n"), podGone).ConfigureAwait(false);
            await SendStatusAsync(socket, Failure($"command terminated with non-zero exit code: error executing command [{string.Join(" ", command)}], exit code 127", "127"), podGone).ConfigureAwait(false);
            await CloseAsync(socket).ConfigureAwait(false);
            return;
        }

        using var engine = await DialBuildkitAsync(podGone).ConfigureAwait(false);
        using var relay = CancellationTokenSource.CreateLinkedTokenSource(podGone);
        var sendLock = new SemaphoreSlim(1, 1);
        var upstream = PumpStdinAsync(socket, engine, relay.Token);
        var downstream = PumpStdoutAsync(socket, engine, sendLock, relay.Token);
        await Task.WhenAny(upstream, downstream).ConfigureAwait(false);
        if (podGone.IsCancellationRequested)
        {
            // The pod died: the connection breaks off without a status, as with a lost kubelet.
            socket.Abort();
            return;
        }

        await relay.CancelAsync().ConfigureAwait(false);
        await sendLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await SendStatusAsync(socket, new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }, CancellationToken.None).ConfigureAwait(false);
            await CloseAsync(socket).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static async Task PumpStdinAsync(WebSocket socket, NetworkStream engine, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                // The channel byte starts each message; continuation frames carry payload only.
                var channel = buffer[0];
                var offset = 1;
                while (true)
                {
                    if (channel == StdinChannel && result.Count > offset)
                    {
                        await engine.WriteAsync(buffer.AsMemory(offset, result.Count - offset), cancellationToken).ConfigureAwait(false);
                    }
                    else if (channel == CloseChannel && result.Count > 1 && buffer[1] == StdinChannel)
                    {
                        engine.Socket.Shutdown(SocketShutdown.Send);
                    }

                    if (result.EndOfMessage)
                    {
                        break;
                    }

                    offset = 0;
                    result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or SocketException)
        {
        }
    }

    private static async Task PumpStdoutAsync(WebSocket socket, NetworkStream engine, SemaphoreSlim sendLock, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024 + 1];
        buffer[0] = StdoutChannel;
        try
        {
            while (true)
            {
                var read = await engine.ReadAsync(buffer.AsMemory(1), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                await sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await socket.SendAsync(buffer.AsMemory(0, read + 1), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    sendLock.Release();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or SocketException)
        {
        }
    }

    /// <summary>POST /grpc with <c>Upgrade: h2c</c> on the engine socket; after 101 it speaks BuildKit's gRPC.</summary>
    private async Task<NetworkStream> DialBuildkitAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(engineSocketPath), cancellationToken).ConfigureAwait(false);
        var stream = new NetworkStream(socket, ownsSocket: true);
        var request = "POST /grpc HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n"u8.ToArray();
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);

        // Read the response head byte by byte so no upgraded byte is consumed.
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                break;
            }

            head.Add(one[0]);
        }

        var statusLine = Encoding.ASCII.GetString([.. head]).Split("\r\n")[0];
        if (!statusLine.Contains(" 101 ", StringComparison.Ordinal))
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"The engine refused the BuildKit upgrade: {statusLine}");
        }

        return stream;
    }

    private static Task SendStatusAsync(WebSocket socket, JsonObject status, CancellationToken cancellationToken) =>
        SendAsync(socket, StatusChannel, Encoding.UTF8.GetBytes(status.ToJsonString()), cancellationToken);

    private static async Task SendAsync(WebSocket socket, byte channel, byte[] payload, CancellationToken cancellationToken)
    {
        var message = new byte[payload.Length + 1];
        message[0] = channel;
        payload.CopyTo(message, 1);
        await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CloseAsync(WebSocket socket)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }

    private static JsonObject Failure(string message, string exitCode) => new()
    {
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = "NonZeroExitCode",
        ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = exitCode }) },
    };
}
