using System.Net.Sockets;
using System.Text;
using Buildx.Core.BuildKit.Protocol.Secrets;
using Buildx.Core.BuildKit.Protocol.Ssh;
using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;
using Buildx.Core.Session.Secrets;
using Buildx.Core.Session.Ssh;
using Buildx.Core.Tests.Session.Support;
using Google.Protobuf;
using Grpc.Core;

namespace Buildx.Core.Tests.Session.Options;

/// <summary>The Secrets and SSH session services over a real gRPC client, as the daemon calls them.</summary>
public sealed class SecretsAndSshServiceTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task GetSecret_answers_known_ids_and_NotFound_for_others()
    {
        var file = directory.Write("secret.txt", "from a file");
        var service = new SecretsService(
            [SecretSpec.FromFile("f", file), SecretSpec.FromValue("v", "literal"u8), SecretSpec.FromEnvironment("e", "VAR")],
            name => name == "VAR" ? "from env" : null);
        await using var harness = await GrpcTestHarness.StartAsync(service.Register);
        var client = new Secrets.SecretsClient(harness.Channel);

        Assert.Equal("from a file", (await client.GetSecretAsync(new GetSecretRequest { ID = "f" })).Data.ToStringUtf8());
        Assert.Equal("literal", (await client.GetSecretAsync(new GetSecretRequest { ID = "v" })).Data.ToStringUtf8());
        Assert.Equal("from env", (await client.GetSecretAsync(new GetSecretRequest { ID = "e" })).Data.ToStringUtf8());
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await client.GetSecretAsync(new GetSecretRequest { ID = "nope" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(["f", "v", "e", "nope"], service.RequestedIds);
    }

    [Fact]
    public async Task CheckAgent_knows_the_forwarded_ids_and_ForwardAgent_relays_only_listing_and_signing()
    {
        var socketPath = Path.Combine(directory.Path, "agent.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen();
        var received = new List<byte[]>();
        byte[] noIdentities = [0, 0, 0, 5, 12, 0, 0, 0, 0];
        using var stop = new CancellationTokenSource();
        var agent = Task.Run(async () =>
        {
            // A stand-in agent: records each request and answers an empty identity list. It only
            // ends through the cancellation, which may find it waiting for the next connection.
            while (true)
            {
                using var connection = await listener.AcceptAsync(stop.Token);
                var buffer = new byte[1024];
                int read;
                while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
                {
                    lock (received)
                    {
                        received.Add(buffer[..read]);
                    }

                    await connection.SendAsync(noIdentities, SocketFlags.None, stop.Token);
                }
            }
        });

        var service = await SshForwardService.CreateAsync([new SshSpec("github", [socketPath])], CancellationToken.None);
        await using var harness = await GrpcTestHarness.StartAsync(service.Register);
        var client = new SSH.SSHClient(harness.Channel);

        await client.CheckAgentAsync(new CheckAgentRequest { ID = "github" });
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await client.CheckAgentAsync(new CheckAgentRequest { ID = "default" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);

        // REQUEST_IDENTITIES (11) then REMOVE_ALL_IDENTITIES (19), in one message.
        using var call = client.ForwardAgent(new Metadata { { "buildkit.ssh.id", "github" } });
        await call.RequestStream.WriteAsync(new BytesMessage { Data = ByteString.CopyFrom([0, 0, 0, 1, 11, 0, 0, 0, 1, 19]) });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await call.RequestStream.CompleteAsync();

        // The agent's answer, then FAILURE (5) for the removal, which never reached the agent.
        Assert.Equal([.. noIdentities, 0, 0, 0, 1, 5], call.ResponseStream.Current.Data.ToByteArray());
        Assert.Equal([[0, 0, 0, 1, 11]], received);
        Assert.Equal(1, service.ForwardedConnections);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => agent);
    }

    [Fact]
    public async Task A_path_that_does_not_exist_is_refused_as_not_found()
    {
        var error = await Assert.ThrowsAsync<BuildxException>(() => SshForwardService.CreateAsync([new SshSpec("keys", [Path.Combine(directory.Path, "a"), "/b"])], CancellationToken.None));

        Assert.Equal((ErrorIds.SshAgentUnavailable, BuildxErrorKind.ObjectNotFound), (error.ErrorId, error.Kind));
        Assert.Contains("private key file", error.Message, StringComparison.Ordinal);
    }
}
