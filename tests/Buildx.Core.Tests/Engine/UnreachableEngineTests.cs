using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Buildx.Core.BuildKit;
using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Transport;

namespace Buildx.Core.Tests.Engine;

/// <summary>What users see when the engine is not there, or is not what it should be.</summary>
public sealed class UnreachableEngineTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task A_missing_socket_names_the_endpoint_and_what_to_check()
    {
        var socket = Path.Combine(directory.Path, "absent.sock");
        using var engine = new DockerEngineClient(new DockerContext("default", Endpoint.Parse("unix://" + socket), "the DOCKER_HOST environment variable"));

        var error = await Assert.ThrowsAsync<BuildxException>(() => engine.PingAsync(CancellationToken.None));

        Assert.Equal(ErrorIds.EngineUnreachable, error.ErrorId);
        Assert.Equal(BuildxErrorKind.ConnectionError, error.Kind);
        Assert.Contains(socket, error.Message, StringComparison.Ordinal);
        Assert.Contains("DOCKER_HOST", error.Message, StringComparison.Ordinal);
        Assert.Contains("dockerd is running", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_tcp_port_fails_fast()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var engine = new DockerEngineClient(new DockerContext("default", Endpoint.Parse($"tcp://127.0.0.1:{port}"), "test"));

        var error = await Assert.ThrowsAsync<BuildxException>(() => engine.PingAsync(CancellationToken.None));

        Assert.Equal(ErrorIds.EngineUnreachable, error.ErrorId);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_that_accepts_and_never_answers_fails_within_the_timeout()
    {
        using var silent = ListenSilently("silent.sock");
        using var engine = SilentEngine(silent);

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<BuildxException>(() => engine.PingAsync(CancellationToken.None));

        Assert.Equal(ErrorIds.EngineUnreachable, error.ErrorId);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Contains("no answer within 1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_upgrade_or_exec_start_that_is_never_answered_fails_within_the_timeout()
    {
        // Both are dialed and upgraded with blocking calls, which no token interrupts: a receive timeout bounds them.
        using var silent = ListenSilently("silent-upgrade.sock");
        using var engine = SilentEngine(silent);

        var clock = Stopwatch.StartNew();
        var session = await Record.ExceptionAsync(() => engine.DialSessionAsync([], CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(10));
        var sessionElapsed = clock.Elapsed;
        clock.Restart();
        var exec = await Record.ExceptionAsync(() => new DockerExec(engine).StartAsync("abc", "exec of 'x' in container 'y'", null, CancellationToken.None, polled: true)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.IsAssignableFrom<IOException>(session);
        Assert.InRange(sessionElapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        var execError = Assert.IsType<BuildxException>(exec);
        Assert.Equal(ErrorIds.ExecFailed, execError.ErrorId);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_dead_engine_shows_as_an_error_status_not_a_hang()
    {
        var socket = Path.Combine(directory.Path, "absent.sock");
        var environment = new FixedEnvironment(new Dictionary<string, string> { ["DOCKER_HOST"] = "unix://" + socket }, directory.Path);
        var builder = new BuilderDefinition
        {
            Name = "default",
            Driver = DockerDriver.DriverName,
            Nodes = [new NodeDefinition { Name = "default", Endpoint = "default" }],
        };

        var clock = Stopwatch.StartNew();
        var loaded = await new BuilderLoader(new DriverFactory(new DockerContextResolver(environment)))
            .LoadAsync([builder], "default", TimeSpan.FromSeconds(20), CancellationToken.None);

        var node = Assert.Single(Assert.Single(loaded).Nodes);
        Assert.Equal(NodeStatus.Error, node.Status);
        Assert.Equal(ErrorIds.EngineUnreachable, node.ErrorId);
        Assert.Contains(socket, node.Error, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_engine_that_refuses_the_grpc_upgrade_says_so()
    {
        var path = Path.Combine(directory.Path, "old-engine.sock");
        using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.Listen();
        var serve = Task.Run(async () =>
        {
            using var connection = await server.AcceptAsync();
            var buffer = new byte[4096];
            var head = new StringBuilder();
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await connection.ReceiveAsync(buffer);
                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            await connection.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\n\r\npage not found\r\n\r\n\r\n"));
        });
        using var engine = new DockerEngineClient(new DockerContext("old", Endpoint.Parse("unix://" + path), "test"));
        using var client = new BuildkitClient(new DockerDriver(engine).Dialer, "old engine");

        var error = await Assert.ThrowsAsync<BuildxException>(() => client.ListWorkersAsync(CancellationToken.None));
        await serve;

        Assert.Equal(ErrorIds.EngineUpgradeRefused, error.ErrorId);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Contains("page not found", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A unix socket that accepts connections (in the kernel's backlog) and never answers.</summary>
    private Socket ListenSilently(string name)
    {
        var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        silent.Bind(new UnixDomainSocketEndPoint(Path.Combine(directory.Path, name)));
        silent.Listen();
        return silent;
    }

    /// <summary>An engine client for <paramref name="silent"/> that waits 1 s for answers.</summary>
    private static DockerEngineClient SilentEngine(Socket silent) =>
        new(new DockerContext("default", Endpoint.Parse("unix://" + ((UnixDomainSocketEndPoint)silent.LocalEndPoint!).ToString()), "test"), TimeSpan.FromSeconds(1));
}
