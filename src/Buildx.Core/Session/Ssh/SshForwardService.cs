using System.Buffers.Binary;
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
            await ServeRequestsAsync(fromDaemon, toDaemon, (request, _) => ValueTask.FromResult<byte[]?>(keyring.Respond(request)), context.CallCancelled).ConfigureAwait(false);
            return;
        }

        var path = source.SocketPath!;
        var agent = await SshAgentConnector.ConnectAsync(path, context.CallCancelled).ConfigureAwait(false);
        await using (agent.ConfigureAwait(false))
        {
            await ServeRequestsAsync(fromDaemon, toDaemon, (request, token) => RelayReadOnlyAsync(agent, request, token), context.CallCancelled).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Answers the RUN step's agent requests one at a time. Requests may arrive split across messages or
    /// several in one; the answers to one message go back together. A message that is not the agent
    /// protocol (zero or oversized length), or a null answer, ends the call as a closed agent connection would.
    /// </summary>
    private static async Task ServeRequestsAsync(
        IGrpcStreamReader<BytesMessage> fromDaemon,
        IGrpcStreamWriter<BytesMessage> toDaemon,
        Func<byte[], CancellationToken, ValueTask<byte[]?>> answer,
        CancellationToken cancellationToken)
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
                    if (await answer(request, cancellationToken).ConfigureAwait(false) is not { } framed)
                    {
                        return;
                    }

                    answers.Write(framed);
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

    /// <summary>
    /// One request relayed to the user's agent, as BuildKit's read-only agent wrapper does: listing
    /// identities and signing reach the agent; adding, removing and locking keys (and anything else)
    /// are answered FAILURE here, so a build cannot change the user's agent. Null when the agent closed.
    /// </summary>
    private static async ValueTask<byte[]?> RelayReadOnlyAsync(Stream agent, byte[] request, CancellationToken cancellationToken)
    {
        if (request[0] is not (SshAgentMessageType.RequestIdentities or SshAgentMessageType.SignRequest))
        {
            return [0, 0, 0, 1, SshAgentMessageType.Failure];
        }

        var framed = new byte[4 + request.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)request.Length);
        request.CopyTo(framed, 4);
        await agent.WriteAsync(framed, cancellationToken).ConfigureAwait(false);
        await agent.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await ReadAgentAnswerAsync(agent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One framed answer from the agent (length prefix included), or null when it closed first.</summary>
    private static async Task<byte[]?> ReadAgentAnswerAsync(Stream agent, CancellationToken cancellationToken)
    {
        var prefix = new byte[4];
        if (await agent.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < prefix.Length)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        if (length is 0 or > SshAgentRequestFramer.MaxMessageLength)
        {
            throw new SshWireFormatException($"the agent answered with a message of {length} bytes (1 to {SshAgentRequestFramer.MaxMessageLength} accepted).");
        }

        var answer = new byte[4 + length];
        prefix.CopyTo(answer, 0);
        if (await agent.ReadAtLeastAsync(answer.AsMemory(4), (int)length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < length)
        {
            return null;
        }

        return answer;
    }
}
