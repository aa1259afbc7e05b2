using Buildx.Core.BuildKit.Protocol.Control;
using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session;

/// <summary>
/// The client side of a BuildKit session: opens <c>Control.Session</c>, announces the methods it
/// serves, and runs the gRPC server the daemon calls back into (file sync, exports, auth, health).
/// Start it before Solve and dispose it after Solve returns.
/// </summary>
public sealed class BuildSession : IAsyncDisposable
{
    internal const string UuidHeader = "x-docker-expose-session-uuid";
    internal const string SharedKeyHeader = "x-docker-expose-session-sharedkey";
    internal const string MethodHeader = "x-docker-expose-session-grpc-method";

    private readonly CancellationTokenSource lifetime = new();
    private AsyncDuplexStreamingCall<BytesMessage, BytesMessage>? call;
    private SessionTransportStream? transport;
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

    /// <summary>The session server's failure, if it stopped for a reason other than the session ending.</summary>
    public Exception? ServerError { get; private set; }

    internal void Start(Control.ControlClient control, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        var headers = new Metadata
        {
            { UuidHeader, Id },
            { SharedKeyHeader, SharedKey },
        };
        foreach (var method in Services.Methods.Order(StringComparer.Ordinal))
        {
            headers.Add(MethodHeader, method);
        }

        var token = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token, cancellationToken).Token;
        call = control.Session(headers, cancellationToken: token);
        transport = new SessionTransportStream(call);
        serving = ServeAsync(transport, token);
    }

    public async ValueTask DisposeAsync()
    {
        if (transport is not null)
        {
            await transport.CompleteAsync().ConfigureAwait(false);
        }

        if (serving is not null)
        {
            // Give the daemon a moment to finish its side, then cut the session.
            await Task.WhenAny(serving, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        }

        await lifetime.CancelAsync().ConfigureAwait(false);
        if (serving is not null)
        {
            await Task.WhenAny(serving, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        }

        call?.Dispose();
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
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The session was closed on purpose.
        }
        catch (Exception ex) when (ex is IOException or RpcException or InvalidOperationException)
        {
            ServerError = ex;
        }
    }
}
