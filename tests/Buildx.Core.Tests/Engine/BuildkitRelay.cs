using System.Net;
using System.Net.Sockets;
using Buildx.Core.Docker;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// A stand-in for a standalone buildkitd: listens on TCP or a unix socket and, for each
/// connection, upgrades a connection to the engine with POST /grpc and relays bytes both ways.
/// </summary>
public sealed class BuildkitRelay : IAsyncDisposable
{
    private readonly Socket listener;
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;

    private BuildkitRelay(Socket listener, string address)
    {
        this.listener = listener;
        Address = address;
        accepting = AcceptAsync();
    }

    /// <summary>The relay's address as a buildkit endpoint URL (tcp:// or unix://).</summary>
    public string Address { get; }

    public static BuildkitRelay StartTcp()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen();
        return new BuildkitRelay(socket, $"tcp://127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}");
    }

    public static BuildkitRelay StartUnix(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen();
        return new BuildkitRelay(socket, "unix://" + path);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Dispose();
        await Task.WhenAny(accepting, Task.Delay(1000));
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await listener.AcceptAsync(stop.Token);
                _ = RelayAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var engine = new DockerEngineClient(EngineFixture.Context);
        await using var upstream = await engine.DialBuildkitAsync(stop.Token);
        await using var downstream = new NetworkStream(client, ownsSocket: true);
        try
        {
            await Task.WhenAny(downstream.CopyToAsync(upstream, stop.Token), upstream.CopyToAsync(downstream, stop.Token));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
        }
    }
}
