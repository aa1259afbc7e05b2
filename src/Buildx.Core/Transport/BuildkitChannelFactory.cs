using System.Net;
using Grpc.Net.Client;

namespace Buildx.Core.Transport;

/// <summary>
/// Runs Grpc.Net.Client over any <see cref="StreamDialer"/>: HTTP/2 with prior knowledge on a
/// stream the driver provides. Each new HTTP/2 connection asks the dialer for a new stream.
/// </summary>
public static class BuildkitChannelFactory
{
    /// <summary>BuildKit's Go client allows 16 MiB messages both ways; so do we.</summary>
    public const int MaxMessageSize = 16 * 1024 * 1024;

    /// <param name="faults">Receives the explained failures of the dialed streams.</param>
    internal static GrpcChannel Create(StreamDialer dialer, TransportFaultLog faults)
    {
        ArgumentNullException.ThrowIfNull(dialer);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) => new FaultRecordingStream(await dialer(cancellationToken).ConfigureAwait(false), faults),
            // BuildKit's Status and Session streams are long-lived; keep the connection and let
            // several calls share it.
            EnableMultipleHttp2Connections = false,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            UseProxy = false,
            AllowAutoRedirect = false,
        };

        // The authority is never resolved: the dialer decides where bytes go.
        return GrpcChannel.ForAddress("http://buildkit", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxMessageSize,
            MaxSendMessageSize = MaxMessageSize,
            HttpVersion = HttpVersion.Version20,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
    }
}
