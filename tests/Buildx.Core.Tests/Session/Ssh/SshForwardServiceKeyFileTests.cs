using System.Net.Sockets;
using Buildx.Core.BuildKit.Protocol.Ssh;
using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;
using Buildx.Core.Session.Ssh;
using Buildx.Core.Tests.Session.FileSync;
using Buildx.Core.Tests.Session.Support;
using Google.Protobuf;
using Grpc.Core;

namespace Buildx.Core.Tests.Session.Ssh;

/// <summary>
/// Ids backed by key files, over a real gRPC ForwardAgent call as the daemon opens it; the real
/// OpenSSH tools talk to the in-process agent through a socket relayed onto such calls.
/// </summary>
public sealed class SshForwardServiceKeyFileTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task OpenSSH_clients_list_and_sign_with_the_keys_through_ForwardAgent()
    {
        var ed25519 = SshKeygen.Generate(directory.Path, "ed25519");
        var rsa = SshKeygen.Generate(directory.Path, "rsa", 3072, passphrase: "s3cret");
        using var service = await SshForwardService.CreateAsync(
            [new SshSpec("git", [ed25519.PrivatePath, rsa.PrivatePath]) { Passphrase = "s3cret"u8.ToArray() }], CancellationToken.None);
        await using var harness = await GrpcTestHarness.StartAsync(service.Register);
        var socket = Path.Combine(directory.Path, "agent.sock");
        using var stop = new CancellationTokenSource();
        var relay = RelayAsync(socket, new SSH.SSHClient(harness.Channel), "git", stop.Token);
        var environment = new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = socket };

        // ssh-add -L prints the identities as .pub lines: blob and comment, in file order.
        var listed = SshKeygen.Run("ssh-add", ["-L"], environment).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [File.ReadAllText(ed25519.PrivatePath + ".pub").Trim(), File.ReadAllText(rsa.PrivatePath + ".pub").Trim()],
            listed);

        // ssh-keygen -Y sign with only the public key asks the agent (rsa-sha2-512 for RSA); OpenSSH verifies.
        var message = directory.Write("message.txt", "signed through the forwarded agent\n");
        foreach (var key in new[] { ed25519, rsa })
        {
            SshKeygen.Run("ssh-keygen", ["-Y", "sign", "-n", "buildx", "-f", key.PrivatePath + ".pub", message], environment);
            var check = SshKeygen.Run("ssh-keygen", ["-Y", "check-novalidate", "-n", "buildx", "-f", key.PrivatePath + ".pub", "-s", message + ".sig"], environment, File.ReadAllText(message));
            Assert.Contains("Good", check, StringComparison.Ordinal);
            File.Delete(message + ".sig");
        }

        // The agent is read-only: removing keys is refused and they stay listed.
        Assert.Throws<InvalidOperationException>(() => SshKeygen.Run("ssh-add", ["-D"], environment));
        Assert.Equal(2, SshKeygen.Run("ssh-add", ["-L"], environment).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(2, service.KeyringFor("git")!.Signatures);
        await stop.CancelAsync();
        await relay;
    }

    [Fact]
    public async Task Requests_split_across_messages_and_several_in_one_message_are_all_answered()
    {
        var key = SshKeygen.Generate(directory.Path, "ecdsa", 256);
        using var service = await SshForwardService.CreateAsync([new SshSpec("default", [key.PrivatePath])], CancellationToken.None);
        await using var harness = await GrpcTestHarness.StartAsync(service.Register);
        var client = new SSH.SSHClient(harness.Channel);
        await client.CheckAgentAsync(new CheckAgentRequest { ID = "default" });

        using var call = client.ForwardAgent(new Metadata { { "buildkit.ssh.id", "default" } });
        var sign = AgentMessages.SignRequest(key.PublicBlob, "data"u8.ToArray(), 0);
        foreach (var piece in sign.Chunk(3))
        {
            await call.RequestStream.WriteAsync(new BytesMessage { Data = ByteString.CopyFrom(piece) });
        }

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var first = AgentMessages.Bodies(call.ResponseStream.Current.Data.ToByteArray());
        Assert.Equal("ecdsa-sha2-nistp256", AgentMessages.Signature(Assert.Single(first)).Algorithm);

        await call.RequestStream.WriteAsync(new BytesMessage { Data = ByteString.CopyFrom([.. AgentMessages.RequestIdentities(), .. AgentMessages.Frame(17), .. AgentMessages.RequestIdentities()[..2]]) });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var both = AgentMessages.Bodies(call.ResponseStream.Current.Data.ToByteArray());
        Assert.Equal(2, both.Count);
        Assert.Equal(key.PublicBlob, Assert.Single(AgentMessages.Identities(both[0])).Blob);
        Assert.Equal([5], both[1]);

        // The rest of the half-sent request completes it.
        await call.RequestStream.WriteAsync(new BytesMessage { Data = ByteString.CopyFrom(AgentMessages.RequestIdentities()[2..]) });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Single(AgentMessages.Identities(Assert.Single(AgentMessages.Bodies(call.ResponseStream.Current.Data.ToByteArray()))));

        // A half request then the end of the daemon's side: the call ends cleanly, without an answer.
        await call.RequestStream.WriteAsync(new BytesMessage { Data = ByteString.CopyFrom(AgentMessages.RequestIdentities()[..3]) });
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 11 })]
    [InlineData(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF, 11 })]
    public async Task A_stream_that_is_not_the_agent_protocol_ends_the_call(byte[] bytes)
    {
        var key = SshKeygen.Generate(directory.Path, "ed25519");
        using var service = await SshForwardService.CreateAsync([new SshSpec("default", [key.PrivatePath])], CancellationToken.None);
        await using var harness = await GrpcTestHarness.StartAsync(service.Register);

        using var call = new SSH.SSHClient(harness.Channel).ForwardAgent(new Metadata { { "buildkit.ssh.id", "default" } });
        await call.RequestStream.WriteAsync(new BytesMessage { Data = ByteString.CopyFrom(bytes) });

        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Sockets_and_keys_are_not_mixed_and_one_id_forwards_one_socket()
    {
        var key = SshKeygen.Generate(directory.Path, "ed25519");
        var first = Listen(Path.Combine(directory.Path, "a.sock"));
        var second = Listen(Path.Combine(directory.Path, "b.sock"));
        using (first.Socket)
        using (second.Socket)
        {
            var mixed = await Assert.ThrowsAsync<BuildxException>(() => SshForwardService.CreateAsync([new SshSpec("git", [first.Path, key.PrivatePath])], CancellationToken.None));
            var twoSockets = await Assert.ThrowsAsync<BuildxException>(() => SshForwardService.CreateAsync([new SshSpec("git", [first.Path, second.Path])], CancellationToken.None));
            using var fromSocket = await SshForwardService.CreateAsync([new SshSpec("git", [first.Path]), new SshSpec("keys", [key.PrivatePath])], CancellationToken.None);

            Assert.Equal((ErrorIds.InvalidSsh, BuildxErrorKind.InvalidArgument), (mixed.ErrorId, mixed.Kind));
            Assert.Contains("cannot be combined", mixed.Message, StringComparison.Ordinal);
            Assert.Equal((ErrorIds.InvalidSsh, BuildxErrorKind.InvalidArgument), (twoSockets.ErrorId, twoSockets.Kind));
            Assert.Null(fromSocket.KeyringFor("git"));
            Assert.Single(fromSocket.KeyringFor("keys")!.Keys);
        }
    }

    [Fact]
    public async Task A_fifo_is_refused_at_once_and_a_symlink_to_an_agent_socket_is_an_agent()
    {
        var fifo = Path.Combine(directory.Path, "agent.fifo");
        PosixTestFiles.MakeFifo(fifo);

        var agent = Listen(Path.Combine(directory.Path, "real.sock"));
        var link = Path.Combine(directory.Path, "linked.sock");
        File.CreateSymbolicLink(link, agent.Path);
        using (agent.Socket)
        {
            // Opening a FIFO waits for a writer: without the type check this call never returns.
            var refused = await Assert.ThrowsAsync<BuildxException>(() => SshForwardService.CreateAsync([new SshSpec("default", [fifo])], CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(10));
            using var linked = await SshForwardService.CreateAsync([new SshSpec("default", [link])], CancellationToken.None);

            Assert.Equal((ErrorIds.InvalidSsh, BuildxErrorKind.InvalidArgument), (refused.ErrorId, refused.Kind));
            Assert.Contains("is a FIFO", refused.Message, StringComparison.Ordinal);
            Assert.Null(linked.KeyringFor("default"));
        }
    }

    [Fact]
    public async Task An_encrypted_key_without_its_passphrase_fails_before_the_build()
    {
        var key = SshKeygen.Generate(directory.Path, "ed25519", passphrase: "pass phrase");

        var missing = await Assert.ThrowsAsync<BuildxException>(() => SshForwardService.CreateAsync([new SshSpec("default", [key.PrivatePath])], CancellationToken.None));
        var wrong = await Assert.ThrowsAsync<BuildxException>(() => SshForwardService.CreateAsync([SshSpecParser.FromPairs([new("paths", key.PrivatePath), new("passphrase", "nope")])], CancellationToken.None));
        using var right = await SshForwardService.CreateAsync([SshSpecParser.FromPairs([new("paths", key.PrivatePath), new("passphrase", "pass phrase"u8.ToArray())])], CancellationToken.None);

        Assert.Equal(ErrorIds.SshKeyPassphraseRequired, missing.ErrorId);
        Assert.Equal(ErrorIds.SshKeyPassphraseIncorrect, wrong.ErrorId);
        Assert.Equal(key.PublicBlob, Assert.Single(right.KeyringFor("default")!.Keys).PublicKeyBlob);
    }

    private static (Socket Socket, string Path) Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen();
        return (socket, path);
    }

    /// <summary>What the daemon does for a RUN step: each connection to the step's agent socket becomes one ForwardAgent call.</summary>
    private static async Task RelayAsync(string path, SSH.SSHClient client, string id, CancellationToken cancellationToken)
    {
        var (listener, _) = Listen(path);
        using (listener)
        {
            try
            {
                while (true)
                {
                    var connection = await listener.AcceptAsync(cancellationToken);
                    _ = Task.Run(() => PumpAsync(connection, client, id), CancellationToken.None);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task PumpAsync(Socket connection, SSH.SSHClient client, string id)
    {
        using (connection)
        {
            using var call = client.ForwardAgent(new Metadata { { "buildkit.ssh.id", id } });
            var down = Task.Run(async () =>
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    await connection.SendAsync(call.ResponseStream.Current.Data.Memory, SocketFlags.None);
                }
            });
            var buffer = new byte[4096];
            int read;
            while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await call.RequestStream.WriteAsync(new BytesMessage { Data = ByteString.CopyFrom(buffer, 0, read) });
            }

            await call.RequestStream.CompleteAsync();
            await down;
        }
    }
}
