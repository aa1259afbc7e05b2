using System.Net.Sockets;
using Buildx.Core.Session.Grpc;
using Grpc.Net.Client;

namespace Buildx.Core.Tests.Session.Support;

/// <summary>
/// A <see cref="GrpcSessionServer"/> on one end of a loopback socket pair and a real Grpc.Net.Client
/// channel (SocketsHttpHandler, HTTP/2 with prior knowledge) on the other.
/// </summary>
internal sealed class GrpcTestHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource stop;
    private readonly NetworkStream clientStream;
    private readonly NetworkStream serverStream;

    private GrpcTestHarness(CancellationTokenSource stop, GrpcChannel channel, Task server, NetworkStream clientStream, NetworkStream serverStream)
    {
        this.stop = stop;
        Channel = channel;
        Server = server;
        this.clientStream = clientStream;
        this.serverStream = serverStream;
    }

    public GrpcChannel Channel { get; }

    /// <summary>The server's <see cref="GrpcSessionServer.ServeAsync"/>.</summary>
    public Task Server { get; }

    public static async Task<GrpcTestHarness> StartAsync(Action<GrpcServiceRegistry> register)
    {
        var registry = new GrpcServiceRegistry();
        HealthService.Register(registry);
        register(registry);
        var (client, server) = await SocketPair.CreateAsync();
        var stop = new CancellationTokenSource();
        var serve = Task.Run(() => new GrpcSessionServer(registry).ServeAsync(server, stop.Token));
        var connected = 0;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = (_, _) => Interlocked.Exchange(ref connected, 1) == 0
                ? ValueTask.FromResult<Stream>(client)
                : throw new InvalidOperationException("The test transport carries one connection."),
        };
        var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            MaxSendMessageSize = 64 * 1024 * 1024,
        });
        return new GrpcTestHarness(stop, channel, serve, client, server);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await stop.CancelAsync();
        try
        {
            await Server.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
        }

        await clientStream.DisposeAsync();
        await serverStream.DisposeAsync();
        stop.Dispose();
    }
}
