using Buildx.Core.BuildKit.Protocol.Control;
using Buildx.Core.Session.Grpc;
using Grpc.Core;

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
    private SessionTransportStream? grpcTunnel;
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
    /// Opens the tunnel: through <paramref name="dialer"/> when the driver has one, else through
    /// <c>Control.Session</c> (which can carry a single method header only: see Control.Session's
    /// caveat in the notes).
    /// </summary>
    internal async Task StartAsync(Control.ControlClient control, SessionDialer? dialer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        var token = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token, cancellationToken).Token;
        Stream tunnel;
        if (dialer is not null)
        {
            tunnel = await dialer(Headers, token).ConfigureAwait(false);
        }
        else
        {
            var metadata = new Metadata();
            foreach (var (key, value) in Headers)
            {
                metadata.Add(key.ToLowerInvariant(), value);
            }

            grpcTunnel = new SessionTransportStream(control.Session(metadata, cancellationToken: token));
            tunnel = grpcTunnel;
        }

        transport = new CountingStream(tunnel);
        serving = ServeAsync(transport, token);
    }

    public async ValueTask DisposeAsync()
    {
        if (grpcTunnel is not null)
        {
            await grpcTunnel.CompleteAsync().ConfigureAwait(false);
        }

        if (serving is not null && grpcTunnel is not null)
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
