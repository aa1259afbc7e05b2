using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Buildx.Core.Docker;

namespace Buildx.TestRelay;

/// <summary>
/// A stand-in for a standalone buildkitd: listens on TCP or a unix socket (plain or TLS) and, for
/// each connection, upgrades a connection to the engine with POST /grpc and relays bytes both ways.
/// </summary>
public sealed class BuildkitRelay : IAsyncDisposable
{
    private readonly Socket listener;
    private readonly DockerContext engine;
    private readonly RelayTls? tls;
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private int connections;

    private BuildkitRelay(Socket listener, string address, DockerContext engine, RelayTls? tls)
    {
        this.listener = listener;
        this.engine = engine;
        this.tls = tls;
        Address = address;
        accepting = AcceptAsync();
    }

    /// <summary>The relay's address as a buildkit endpoint URL (tcp:// or unix://).</summary>
    public string Address { get; }

    /// <summary>Connections accepted so far (TLS handshakes that failed count too).</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>Connections whose TLS handshake the relay completed.</summary>
    public int TlsHandshakesCompleted { get; private set; }

    public static BuildkitRelay StartTcp(DockerContext engine, RelayTls? tls = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen();
        return new BuildkitRelay(socket, $"tcp://127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}", engine, tls);
    }

    public static BuildkitRelay StartUnix(DockerContext engine, string path, RelayTls? tls = null)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen();
        return new BuildkitRelay(socket, "unix://" + path, engine, tls);
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
                Interlocked.Increment(ref connections);
                _ = RelayAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(Socket client)
    {
        Stream downstream = new NetworkStream(client, ownsSocket: true);
        try
        {
            if (tls is not null)
            {
                var secure = new SslStream(downstream, leaveInnerStreamOpen: false);
                downstream = secure;
                await secure.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = tls.ServerCertificate,
                    ClientCertificateRequired = tls.ClientAuthority is not null,
                    EnabledSslProtocols = tls.Protocols,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => tls.ClientAuthority is null || IsSignedBy(certificate, tls.ClientAuthority),
                }, stop.Token);
                TlsHandshakesCompleted++;
            }

            using var engineClient = new DockerEngineClient(engine);
            await using var upstream = await engineClient.DialBuildkitAsync(stop.Token);
            await Task.WhenAny(downstream.CopyToAsync(upstream, stop.Token), upstream.CopyToAsync(downstream, stop.Token));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Security.Authentication.AuthenticationException)
        {
        }
        finally
        {
            await downstream.DisposeAsync();
        }
    }

    private static bool IsSignedBy(X509Certificate? presented, X509Certificate2 authority)
    {
        if (presented is null)
        {
            return false;
        }

        using var certificate = new X509Certificate2(presented);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
