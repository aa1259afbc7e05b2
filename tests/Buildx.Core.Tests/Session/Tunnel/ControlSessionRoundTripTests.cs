using Buildx.Core.BuildKit.Protocol.Control;
using Buildx.Core.Session;
using Buildx.Core.Session.Grpc;
using Buildx.Core.Tests.Session.Support;

namespace Buildx.Core.Tests.Session.Tunnel;

/// <summary>
/// The tunnel against this module's own HTTP/2 gRPC server over loopback sockets, standing in for the
/// daemon's Control service: real flow control both ways, with megabytes in flight.
/// </summary>
public class ControlSessionRoundTripTests
{
    private const string MethodHeader = "x-docker-expose-session-grpc-method";

    [Fact]
    public async Task Megabytes_echoed_through_the_call_come_back_intact_and_every_method_header_arrives()
    {
        var (client, server) = await SocketPair.CreateAsync();
        IReadOnlyList<string> methodsSeen = [];
        var services = new GrpcServiceRegistry();
        services.AddRaw(ControlSessionTunnel.SessionMethodPath, async call =>
        {
            methodsSeen = call.Context.GetValues(MethodHeader);
            while (await call.ReadMessageAsync(call.Context.CallCancelled) is { } bytes)
            {
                await call.WriteMessageAsync(BytesMessage.Parser.ParseFrom(bytes.Span), call.Context.CallCancelled);
            }
        });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var serving = new GrpcSessionServer(services).ServeAsync(server, stop.Token);
        string[] methods = ["/grpc.health.v1.Health/Check", "/moby.filesync.v1.FileSend/DiffCopy", "/moby.filesync.v1.FileSync/DiffCopy"];
        var data = new byte[24 << 20];
        new Random(11).NextBytes(data);

        var tunnel = (ControlSessionStream)await ControlSessionTunnel.OpenAsync(
            _ => Task.FromResult<Stream>(client),
            [new("X-Docker-Expose-Session-Uuid", "id"), .. methods.Select(m => new KeyValuePair<string, string>("X-Docker-Expose-Session-Grpc-Method", m))],
            stop.Token);
        var writing = Task.Run(async () =>
        {
            // Uneven writes, one above the tunnel's largest message.
            var random = new Random(3);
            for (var offset = 0; offset < data.Length;)
            {
                var size = offset == 0 ? (5 << 19) : random.Next(1, 300 * 1024);
                size = Math.Min(size, data.Length - offset);
                await tunnel.WriteAsync(data.AsMemory(offset, size), stop.Token);
                offset += size;
            }

            await tunnel.CompleteAsync();
        });
        var echoed = new MemoryStream();
        var buffer = new byte[100 * 1024];
        int read;
        while ((read = await tunnel.ReadAsync(buffer, stop.Token)) > 0)
        {
            echoed.Write(buffer, 0, read);
        }

        await writing;
        await tunnel.DisposeAsync();
        await serving;

        Assert.Equal(methods, methodsSeen);
        Assert.Equal(data.Length, echoed.Length);
        Assert.True(data.AsSpan().SequenceEqual(echoed.GetBuffer().AsSpan(0, (int)echoed.Length)), "the echoed bytes differ");
    }

    [Fact]
    public async Task The_server_failing_the_call_surfaces_as_an_IOException_with_its_status()
    {
        var (client, server) = await SocketPair.CreateAsync();
        var services = new GrpcServiceRegistry();
        services.AddRaw(ControlSessionTunnel.SessionMethodPath, _ =>
            throw new GrpcStatusException(global::Grpc.Core.StatusCode.PermissionDenied, "no sessions for you"));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var serving = new GrpcSessionServer(services).ServeAsync(server, stop.Token);

        await using var tunnel = await ControlSessionTunnel.OpenAsync(_ => Task.FromResult<Stream>(client), [], stop.Token);

        var error = await Assert.ThrowsAsync<GrpcCallFailedException>(() => tunnel.ReadAsync(new byte[10], stop.Token).AsTask());
        Assert.Equal(global::Grpc.Core.StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("no sessions for you", error.Detail);
        await tunnel.DisposeAsync();
        await serving;
    }
}
