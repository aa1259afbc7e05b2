using System.Net.Sockets;
using Buildx.Core.BuildKit;
using Buildx.Core.Builders;
using Buildx.Core.Errors;
using Buildx.Core.Transport;

namespace Buildx.Core.Drivers.Remote;

/// <summary>
/// The <c>remote</c> driver: a BuildKit daemon that already runs, reached at its endpoint (a
/// socket, optionally with TLS, or <c>buildctl dial-stdio</c> in a container or pod). Nothing to
/// start, stop or remove; running means <c>ListWorkers</c> answers.
/// </summary>
public sealed class RemoteDriver : IDriver
{
    public const string DriverName = KnownDrivers.RemoteName;

    /// <summary>buildx's <c>Client.Wait</c> gives a remote daemon 20 s to answer on bootstrap.</summary>
    public static readonly TimeSpan BootstrapWait = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan BootstrapRetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly StreamDialer connect;
    private readonly IDisposable? resources;
    private TlsClientSettings? tls;

    /// <param name="connect">Opens the raw connection (socket, container exec or pod exec); TLS goes on top for sockets.</param>
    /// <param name="resources">What <paramref name="connect"/> uses and the driver disposes (an Engine API client).</param>
    public RemoteDriver(RemoteEndpoint endpoint, RemoteDriverOptions options, StreamDialer connect, IDisposable? resources = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(connect);
        Endpoint = endpoint;
        Options = options;
        this.connect = connect;
        this.resources = resources;
    }

    public string Name => DriverName;

    public RemoteEndpoint Endpoint { get; }

    public RemoteDriverOptions Options { get; }

    /// <summary>As buildx: TLS applies to socket endpoints only; connection helpers carry their own transport.</summary>
    public bool UsesTls => Options.UsesTls && Endpoint.IsSocket;

    public string EndpointDescription => $"the BuildKit daemon at {Endpoint}{(UsesTls ? " (TLS)" : string.Empty)}";

    public StreamDialer Dialer => DialAsync;

    /// <summary>
    /// A plain unix or TCP endpoint carries the build session on a connection of its own, dialed with
    /// blocking calls and then read and written by the session's own threads with poll
    /// (<see cref="PolledSocketStream"/>): a socket in .NET's socket engine costs a thread-pool hand-off
    /// per readiness change. TLS, docker-container:// and kube-pod:// sessions use the driver's dialer.
    /// </summary>
    public Session.SessionDialer? SessionDialer =>
        !UsesTls && Endpoint.Kind is RemoteEndpointKind.Unix or RemoteEndpointKind.Tcp && Endpoint.Socket is { } socket
            ? (headers, cancellationToken) => Session.ControlSessionTunnel.OpenAsync(_ => Task.FromResult<Stream>(new PolledSocketStream(DialSessionSocket(socket))), headers, cancellationToken)
            : null;

    /// <summary>Set for plain tcp:// without TLS: anyone who can reach the port can use the daemon.</summary>
    public string? SecurityWarning => PlaintextTcpWarning(Endpoint, Options);

    /// <summary>The warning for a plain TCP endpoint, or null when the endpoint is not one.</summary>
    public static string? PlaintextTcpWarning(RemoteEndpoint endpoint, RemoteDriverOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        return endpoint.Kind == RemoteEndpointKind.Tcp && !options.UsesTls
            ? $"The remote endpoint {endpoint} is plain TCP without TLS: anyone who can reach that port can use the BuildKit daemon (run builds, read its cache). Use TLS with a client certificate (-CACertificate, -ClientCertificate or the cacert, cert and key driver options), or a unix socket."
            : null;
    }

    public async Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken) =>
        (await GetStatusReportAsync(cancellationToken).ConfigureAwait(false)).Status;

    /// <summary>running when <c>ListWorkers</c> answers; otherwise inactive, with the reason it did not.</summary>
    public async Task<NodeStatusReport> GetStatusReportAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new BuildkitClient(Dialer, EndpointDescription);
            await client.ListWorkersAsync(cancellationToken).ConfigureAwait(false);
            return new NodeStatusReport(NodeStatus.Running);
        }
        catch (BuildxException ex)
        {
            return new NodeStatusReport(NodeStatus.Inactive, ex.Message, ex.ErrorId);
        }
    }

    /// <summary>buildx's remote driver reports no version of its own.</summary>
    public Task<string?> GetVersionAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>Waits for the daemon to answer, as buildx's <c>Client.Wait</c>; nothing is started.</summary>
    public async Task BootstrapAsync(IProgress<string>? progress, CancellationToken cancellationToken)
    {
        progress?.Report("[internal] waiting for connection");
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(BootstrapWait);
        var report = new NodeStatusReport(NodeStatus.Inactive);
        try
        {
            while ((report = await GetStatusReportAsync(wait.Token).ConfigureAwait(false)).Status != NodeStatus.Running)
            {
                if (report.ReasonId is ErrorIds.KubeconfigInvalid or ErrorIds.RemoteSchemeNotSupported or ErrorIds.TlsFileUnreadable
                    or ErrorIds.TlsUnknownAuthority or ErrorIds.TlsNameMismatch or ErrorIds.TlsCertificateExpired
                    or ErrorIds.TlsClientCertificateRefused or ErrorIds.TlsServerPlaintext or ErrorIds.InvalidDriverOption)
                {
                    // Waiting cannot fix these.
                    break;
                }

                await Task.Delay(BootstrapRetryDelay, wait.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new BuildxException(
                ErrorIds.BuildkitBootstrapFailed,
                BuildxErrorKind.OperationTimeout,
                $"{EndpointDescription} did not answer within {BootstrapWait.TotalSeconds:0} s{(report.Reason is null ? "." : $": {report.Reason}")}",
                Endpoint.Original);
        }

        if (report.Status != NodeStatus.Running)
        {
            throw new BuildxException(report.ReasonId ?? ErrorIds.BuildkitUnreachable, BuildxErrorKind.ConnectionError, report.Reason ?? $"{EndpointDescription} did not answer.", Endpoint.Original);
        }
    }

    /// <summary>The daemon is not this module's to stop.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Nothing was created, so nothing is removed: only the store entry goes.</summary>
    public Task RemoveAsync(bool keepState, bool keepDaemon, CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => resources?.Dispose();

    private NetworkStream DialSessionSocket(Endpoint socket)
    {
        try
        {
            return EndpointDialer.DialBlocking(socket);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            throw Refused(Endpoint, ex);
        }
    }

    /// <summary>A unix, TCP or named-pipe connection; a refusal or a timeout is a BuildkitUnreachable error naming the endpoint.</summary>
    internal static async Task<Stream> DialSocketAsync(RemoteEndpoint endpoint, CancellationToken cancellationToken)
    {
        var socket = endpoint.Socket ?? throw new InvalidOperationException($"{endpoint} is not a socket endpoint.");
        try
        {
            return await EndpointDialer.DialAsync(socket, EndpointDialer.DefaultConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (BuildxException ex) when (ex.ErrorId == ErrorIds.EngineUnreachable)
        {
            throw new BuildxException(ErrorIds.BuildkitUnreachable, BuildxErrorKind.OperationTimeout, $"Could not connect to BuildKit at {endpoint} within {EndpointDialer.DefaultConnectTimeout.TotalSeconds:0} s.", endpoint.Original, ex);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            throw Refused(endpoint, ex);
        }
    }

    private static BuildxException Refused(RemoteEndpoint endpoint, Exception ex) =>
        new(ErrorIds.BuildkitUnreachable, BuildxErrorKind.ConnectionError, $"Could not connect to BuildKit at {endpoint}: {ex.Message}. Check that buildkitd listens there.", endpoint.Original, ex);

    private async Task<Stream> DialAsync(CancellationToken cancellationToken)
    {
        var connection = await connect(cancellationToken).ConfigureAwait(false);
        if (!UsesTls)
        {
            return connection;
        }

        try
        {
            tls ??= TlsClientSettings.Load(Options, Endpoint);
            return await TlsConnector.AuthenticateAsync(connection, tls, Endpoint.Original, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
