using System.Net.Sockets;
using Buildx.Core.BuildKit.Protocol.Ssh;
using Buildx.Core.Builds.Options;
using Buildx.Core.Session.Grpc;
using Buildx.Core.Session.Ssh.Agent;
using Google.Protobuf;
using Grpc.Core;

namespace Buildx.Core.Session.Ssh;

/// <summary>
/// <c>moby.sshforward.v1.SSH</c>: CheckAgent says whether an id is forwarded; ForwardAgent is opened
/// by the daemon for every connection a RUN step makes to its agent socket. For an id backed by an
/// agent this relays the agent protocol bytes both ways to it (unix socket or Windows named pipe);
/// for an id backed by key files the in-process keyring answers the requests itself.
/// </summary>
public sealed class SshForwardService : IDisposable
{
    public const string CheckAgentMethod = "/moby.sshforward.v1.SSH/CheckAgent";
    public const string ForwardAgentMethod = "/moby.sshforward.v1.SSH/ForwardAgent";

    /// <summary>The metadata key naming the id on ForwardAgent.</summary>
    internal const string IdHeader = "buildkit.ssh.id";

    private const int ChunkSize = 32 * 1024;

    private readonly Dictionary<string, SshAgentSource> agents;

    private SshForwardService(Dictionary<string, SshAgentSource> agents) => this.agents = agents;

    /// <summary>
    /// Resolves default agents, checks every agent answers and loads every key file, before the
    /// build starts: a wrong passphrase or a bad key fails here, with nothing sent.
    /// </summary>
    public static async Task<SshForwardService> CreateAsync(IEnumerable<SshSpec> specs, CancellationToken cancellationToken, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var agents = new Dictionary<string, SshAgentSource>(StringComparer.Ordinal);
        try
        {
            foreach (var spec in specs.Select(s => SshSpecParser.WithDefaultAgent(s, environment)))
            {
                agents[spec.Id] = await SshAgentSource.ResolveAsync(spec, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var source in agents.Values)
            {
                source.Dispose();
            }

            throw;
        }

        return new SshForwardService(agents);
    }

    /// <summary>The keys served in-process for <paramref name="id"/>, or null when it is relayed to an agent.</summary>
    public SshAgentKeyring? KeyringFor(string id) => agents.TryGetValue(id, out var source) ? source.Keyring : null;

    /// <summary>Releases the loaded private keys.</summary>
    public void Dispose()
    {
        foreach (var source in agents.Values)
        {
            source.Dispose();
        }
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
        if (!agents.TryGetValue(id, out var source))
        {
            throw new GrpcStatusException(StatusCode.NotFound, $"unset ssh forward key {id}");
        }

        Interlocked.Increment(ref forwarded);
        if (source.Keyring is { } keyring)
        {
            await ServeKeyringAsync(keyring, fromDaemon, toDaemon, context.CallCancelled).ConfigureAwait(false);
            return;
        }

        var path = source.SocketPath!;
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

    /// <summary>
    /// Answers the RUN step's agent requests from the keyring. Requests may arrive split across
    /// messages or several in one; the answers to one message go back together. A message that is
    /// not the agent protocol (zero or oversized length) ends the call, as a closed agent connection would.
    /// </summary>
    private static async Task ServeKeyringAsync(SshAgentKeyring keyring, IGrpcStreamReader<BytesMessage> fromDaemon, IGrpcStreamWriter<BytesMessage> toDaemon, CancellationToken cancellationToken)
    {
        var framer = new SshAgentRequestFramer();
        var answers = new MemoryStream();
        while (await fromDaemon.ReadAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            framer.Append(message.Data.Span);
            answers.SetLength(0);
            try
            {
                while (framer.TryTake(out var request))
                {
                    answers.Write(keyring.Respond(request));
                }
            }
            catch (SshWireFormatException)
            {
                return;
            }

            if (answers.Length > 0)
            {
                await toDaemon.WriteAsync(new BytesMessage { Data = ByteString.CopyFrom(answers.GetBuffer(), 0, (int)answers.Length) }, cancellationToken).ConfigureAwait(false);
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
