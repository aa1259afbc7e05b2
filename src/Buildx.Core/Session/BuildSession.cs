using System.Net.Sockets;
using Buildx.Core.Session.Grpc;
using Buildx.Core.Transport;

namespace Buildx.Core.Session;

/// <summary>
/// The client side of a BuildKit session: opens the tunnel (<c>Control.Session</c>, or the
/// driver's own session upgrade), announces the methods it serves, and runs the gRPC server the
/// daemon calls back into (file sync, exports, auth, health). Start it before Solve and dispose
/// it after Solve returns.
/// </summary>
public sealed class BuildSession : IAsyncDisposable
{
    internal const string UuidHeader = "X-Docker-Expose-Session-Uuid";
    internal const string SharedKeyHeader = "X-Docker-Expose-Session-Sharedkey";
    internal const string MethodHeader = "X-Docker-Expose-Session-Grpc-Method";

    private readonly CancellationTokenSource lifetime = new();
    private CancellationTokenSource? running;
    private ControlSessionStream? controlTunnel;
    private CountingStream? transport;
    private Task? serving;

    public BuildSession(string sharedKey, GrpcServiceRegistry services)
    {
        ArgumentNullException.ThrowIfNull(services);
        SharedKey = sharedKey;
        Services = services;
        HealthService.Register(services);
    }

    public string Id { get; } = SessionIdentity.NewId();

    public string SharedKey { get; }

    public GrpcServiceRegistry Services { get; }

    /// <summary>Bytes sent to the daemon through the session so far.</summary>
    public long BytesSent => transport?.BytesWritten ?? 0;

    /// <summary>Bytes received from the daemon through the session so far.</summary>
    public long BytesReceived => transport?.BytesRead ?? 0;

    /// <summary>Why the session server stopped, if it stopped before the session was closed.</summary>
    public Exception? ServerError { get; private set; }

    /// <summary>The session headers: one method header per served method, as BuildKit expects.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers =>
    [
        new(UuidHeader, Id),
        new(SharedKeyHeader, SharedKey),
        .. Services.Methods.Order(StringComparer.Ordinal).Select(method => new KeyValuePair<string, string>(MethodHeader, method)),
    ];

    /// <summary>
    /// Opens the tunnel: through <paramref name="sessionDialer"/> when the driver has one (the docker
    /// driver's <c>POST /session</c>), else as a <c>Control.Session</c> call on a new connection from
    /// <paramref name="buildkitDialer"/>. Both carry one method header field per served method.
    /// </summary>
    internal async Task StartAsync(StreamDialer buildkitDialer, SessionDialer? sessionDialer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buildkitDialer);
        running = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token, cancellationToken);
        var token = running.Token;
        Stream tunnel;
        if (sessionDialer is not null)
        {
            tunnel = await sessionDialer(Headers, token).ConfigureAwait(false);
        }
        else
        {
            tunnel = await ControlSessionTunnel.OpenAsync(buildkitDialer, Headers, token).ConfigureAwait(false);
            controlTunnel = (ControlSessionStream)tunnel;
        }

        transport = new CountingStream(tunnel is NetworkStream socket ? new Transport.PolledSocketStream(socket) : tunnel);
        serving = ServeAsync(transport, token);
    }

    public async ValueTask DisposeAsync()
    {
        if (controlTunnel is not null)
        {
            // Half-close: the daemon ends the session and then the call, which the server sees as the end.
            using var halfCloseTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await controlTunnel.CompleteAsync(halfCloseTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A write is stuck; closing the connection below ends the session all the same.
            }
        }

        if (serving is not null && controlTunnel is not null)
        {
            // Give the daemon a moment to finish its side, then cut the session.
            await Task.WhenAny(serving, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        }

        await lifetime.CancelAsync().ConfigureAwait(false);
        if (serving is not null)
        {
            await Task.WhenAny(serving, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        }

        if (transport is not null)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }

        running?.Dispose();
        lifetime.Dispose();
    }

    private async Task ServeAsync(Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            await new GrpcSessionServer(Services).ServeAsync(stream, cancellationToken).ConfigureAwait(false);
            if (!cancellationToken.IsCancellationRequested)
            {
                ServerError = new IOException("the daemon closed the session connection");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The session was closed on purpose.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Kept for the build's error message: the daemon only says the session went away.
            ServerError = ex;
        }
    }
}
