using System.Net.Sockets;
using Buildx.Core.BuildKit.Protocol.Ssh;
using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Buildx.Core.Session.Ssh;

/// <summary>
/// <c>moby.sshforward.v1.SSH</c>: CheckAgent says whether an id is forwarded; ForwardAgent is opened
/// by the daemon for every connection a RUN step makes to its agent socket, and this relays the
/// agent protocol bytes both ways to the local agent (unix socket or Windows named pipe).
/// </summary>
public sealed class SshForwardService
{
    public const string CheckAgentMethod = "/moby.sshforward.v1.SSH/CheckAgent";
    public const string ForwardAgentMethod = "/moby.sshforward.v1.SSH/ForwardAgent";

    /// <summary>The metadata key naming the id on ForwardAgent.</summary>
    internal const string IdHeader = "buildkit.ssh.id";

    private const int ChunkSize = 32 * 1024;

    private readonly Dictionary<string, string> agents;

    private SshForwardService(Dictionary<string, string> agents) => this.agents = agents;

    /// <summary>Resolves default agents and checks every agent answers, before the build starts.</summary>
    public static async Task<SshForwardService> CreateAsync(IEnumerable<SshSpec> specs, CancellationToken cancellationToken, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var agents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in specs.Select(s => SshSpecParser.WithDefaultAgent(s, environment)))
        {
            if (spec.Paths.Count > 1)
            {
                throw new BuildxException(ErrorIds.SshAgentUnavailable, BuildxErrorKind.NotImplemented,
                    $"-Ssh '{spec.Id}': several paths need an in-process agent over key files, which is not supported yet. Give one agent socket per id.", spec.Id);
            }

            await SshAgentConnector.ProbeAsync(spec.Id, spec.Paths[0], cancellationToken).ConfigureAwait(false);
            agents[spec.Id] = spec.Paths[0];
        }

        return new SshForwardService(agents);
    }

    /// <summary>How many ForwardAgent calls were relayed (one per agent connection inside the build).</summary>
    public int ForwardedConnections => forwarded;

    private int forwarded;

    public void Register(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddUnary<CheckAgentRequest, CheckAgentResponse>(CheckAgentMethod, CheckAgentRequest.Parser, (request, _) =>
        {
            var id = string.IsNullOrEmpty(request.ID) ? SshSpec.DefaultId : request.ID;
            return agents.ContainsKey(id)
                ? Task.FromResult(new CheckAgentResponse())
                : throw new GrpcStatusException(StatusCode.NotFound, $"unset ssh forward key {id}");
        });
        registry.AddDuplex<BytesMessage, BytesMessage>(ForwardAgentMethod, BytesMessage.Parser, ForwardAsync);
    }

    private async Task ForwardAsync(IGrpcStreamReader<BytesMessage> fromDaemon, IGrpcStreamWriter<BytesMessage> toDaemon, GrpcCallContext context)
    {
        var id = context.GetValue(IdHeader);
        id = string.IsNullOrEmpty(id) ? SshSpec.DefaultId : id;
        if (!agents.TryGetValue(id, out var path))
        {
            throw new GrpcStatusException(StatusCode.NotFound, $"unset ssh forward key {id}");
        }

        Interlocked.Increment(ref forwarded);
        using var relay = CancellationTokenSource.CreateLinkedTokenSource(context.CallCancelled);
        var agent = await SshAgentConnector.ConnectAsync(path, relay.Token).ConfigureAwait(false);
        await using (agent.ConfigureAwait(false))
        {
            var upstream = CopyToAgentAsync(fromDaemon, agent, relay.Token);
            var buffer = new byte[ChunkSize];
            try
            {
                int read;
                while ((read = await agent.ReadAsync(buffer, relay.Token).ConfigureAwait(false)) > 0)
                {
                    await toDaemon.WriteAsync(new BytesMessage { Data = ByteString.CopyFrom(buffer, 0, read) }, relay.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                // The agent closed (or the call ended): stop reading the daemon's side too.
                await relay.CancelAsync().ConfigureAwait(false);
                try
                {
                    await upstream.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
                {
                }
            }
        }
    }

    private static async Task CopyToAgentAsync(IGrpcStreamReader<BytesMessage> fromDaemon, Stream agent, CancellationToken cancellationToken)
    {
        while (await fromDaemon.ReadAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            await agent.WriteAsync(message.Data.Memory, cancellationToken).ConfigureAwait(false);
            await agent.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        // The daemon's side finished: half-close so the agent sees the end of its requests.
        if (agent is NetworkStream network)
        {
            network.Socket.Shutdown(SocketShutdown.Send);
        }
    }
}
