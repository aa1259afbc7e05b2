using System.Diagnostics;
using Buildx.Core.Builders;
using Buildx.Core.Builds;
using Buildx.Core.Builds.Options;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// Secrets and SSH forwarding through the module's own session, against the engine's BuildKit:
/// the bytes a RUN step reads are exported and compared.
/// </summary>
public sealed class BuildOptionsEngineTests : IDisposable
{
    private static readonly string BaseImage = Environment.GetEnvironmentVariable("BUILDX_TEST_BASE_IMAGE") is { Length: > 0 } image ? image : "buildx-test/busybox:latest";

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Secrets_from_a_file_an_env_var_and_a_value_reach_RUN_steps()
    {
        var variable = "BUILDX_TEST_SECRET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, "from the environment");
        try
        {
            var file = directory.Write("npmrc", "//registry/:_authToken=file-secret\n");
            directory.Write("ctx/Dockerfile", $"""
                FROM {BaseImage} AS work
                RUN --mount=type=secret,id=npm --mount=type=secret,id=tok --mount=type=secret,id=lit \
                    mkdir /out && cp /run/secrets/npm /out/npm && cp /run/secrets/tok /out/tok && cp /run/secrets/lit /out/lit
                FROM scratch
                COPY --from=work /out /
                """);
            var output = Path.Combine(directory.Path, "out");

            await RunAsync(new BuildOptions
            {
                Secrets =
                [
                    SecretSpecParser.ParseCsv($"id=npm,src={file}"),
                    SecretSpecParser.ParseCsv($"id=tok,env={variable}"),
                    SecretSpecParser.FromPairs([new("id", "lit"), new("value", "literal \u00e9 value")]),
                ],
            }, output);

            Assert.Equal("//registry/:_authToken=file-secret\n", File.ReadAllText(Path.Combine(output, "npm")));
            Assert.Equal("from the environment", File.ReadAllText(Path.Combine(output, "tok")));
            Assert.Equal("literal \u00e9 value", File.ReadAllText(Path.Combine(output, "lit")));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_required_secret_that_was_not_given_fails_the_step_with_the_daemons_message()
    {
        directory.Write("ctx/Dockerfile", $"FROM {BaseImage}\nRUN --mount=type=secret,id=absent,required=true cat /run/secrets/absent\n");

        var error = await Assert.ThrowsAsync<BuildxException>(() => RunAsync(
            new BuildOptions { Secrets = [SecretSpecParser.FromPairs([new("id", "other"), new("value", "x")])] },
            Path.Combine(directory.Path, "out")));

        Assert.Equal(ErrorIds.BuildFailed, error.ErrorId);
        Assert.Contains("absent", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_real_ssh_agent_is_forwarded_to_RUN_steps(bool throughAgentPipe)
    {
        var socket = Path.Combine(directory.Path, "agent.sock");
        using var agent = Start("ssh-agent", ["-D", "-a", socket]);
        using var relay = new CancellationTokenSource();
        try
        {
            // Windows' OpenSSH agent is a named pipe (\\.\pipe\openssh-ssh-agent). .NET's named pipes
            // are unix sockets off Windows, so a pipe server relaying to the real agent runs the
            // same NamedPipeClientStream path here.
            var pipeName = "buildx-test-agent-" + Guid.NewGuid().ToString("N")[..12];
            var relaying = throughAgentPipe ? RelayAgentPipeAsync(pipeName, socket, relay.Token) : Task.CompletedTask;
            var agentPath = throughAgentPipe ? @"\\.\pipe\" + pipeName : socket;
            await WaitForAsync(() => File.Exists(socket));
            var key = Path.Combine(directory.Path, "id_ed25519");
            Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "buildx-forwarded-key", "-f", key], null);
            Run("ssh-add", [key], new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = socket });
            directory.Write("ctx/Dockerfile", $"""
                FROM {BaseImage} AS work
                COPY agent-list /agent-list
                RUN --mount=type=ssh mkdir /out && echo {Guid.NewGuid():N} > /out/run && /agent-list > /out/identities
                FROM scratch
                COPY --from=work /out /
                """);
            CompileAgentClient(Path.Combine(directory.Path, "ctx", "agent-list"));
            var output = Path.Combine(directory.Path, "out");

            await RunAsync(new BuildOptions { Ssh = [new SshSpec("default", [agentPath])] }, output);

            // SSH_AGENT_IDENTITIES_ANSWER (12) listing the key added above, comment included.
            var answer = File.ReadAllBytes(Path.Combine(output, "identities"));
            Assert.Equal(12, answer[4]);
            Assert.Equal(1, (answer[5] << 24) | (answer[6] << 16) | (answer[7] << 8) | answer[8]);
            Assert.Contains("buildx-forwarded-key", System.Text.Encoding.ASCII.GetString(answer), StringComparison.Ordinal);
            Assert.False(relaying.IsFaulted, relaying.Exception?.ToString());
        }
        finally
        {
            await relay.CancelAsync();
            agent.Kill();
        }
    }

    /// <summary>An agent pipe: each connection to the named pipe is relayed to the agent's socket.</summary>
    private static async Task RelayAgentPipeAsync(string pipeName, string agentSocket, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var pipe = new System.IO.Pipes.NamedPipeServerStream(pipeName, System.IO.Pipes.PipeDirection.InOut,
                System.IO.Pipes.NamedPipeServerStream.MaxAllowedServerInstances, System.IO.Pipes.PipeTransmissionMode.Byte, System.IO.Pipes.PipeOptions.Asynchronous);
            try
            {
                await pipe.WaitForConnectionAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await pipe.DisposeAsync();
                return;
            }

            _ = Task.Run(async () =>
            {
                await using (pipe)
                {
                    using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                    await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(agentSocket), cancellationToken);
                    await using var agent = new System.Net.Sockets.NetworkStream(socket, ownsSocket: false);
                    await Task.WhenAny(pipe.CopyToAsync(agent, cancellationToken), agent.CopyToAsync(pipe, cancellationToken));
                }
            }, cancellationToken);
        }
    }

    [Fact]
    public async Task Key_files_are_served_to_RUN_steps_by_the_in_process_agent()
    {
        // An encrypted ed25519 key and an RSA key under one id; the RUN step lists them and has each sign.
        // SSH mounts are not part of BuildKit's cache key: a unique RUN line keeps an earlier run's answer out.
        var ed25519 = Path.Combine(directory.Path, "id_ed25519");
        Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "run step pass", "-C", "buildx-key-file", "-f", ed25519], null);
        var rsa = Path.Combine(directory.Path, "id_rsa");
        Run("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", rsa], null);
        directory.Write("ctx/Dockerfile", $"""
            FROM {BaseImage} AS work
            COPY agent-sign /agent-sign
            RUN --mount=type=ssh,id=deploy mkdir /out && echo {Guid.NewGuid():N} > /out/run && /agent-sign
            FROM scratch
            COPY --from=work /out /
            """);
        CompileAgentSigner(Path.Combine(directory.Path, "ctx", "agent-sign"));
        var output = Path.Combine(directory.Path, "out");

        await RunAsync(new BuildOptions { Ssh = [new SshSpec("deploy", [ed25519, rsa]) { Passphrase = "run step pass"u8.ToArray() }] }, output);

        // IDENTITIES_ANSWER (12): both keys' public blobs, as ssh-keygen wrote them, the file's comment for the OpenSSH key.
        var answer = File.ReadAllBytes(Path.Combine(output, "identities"));
        var edBlob = PublicBlob(ed25519 + ".pub");
        var rsaBlob = PublicBlob(rsa + ".pub");
        Assert.Equal(12, answer[4]);
        Assert.Equal(2, ReadUInt32(answer, 5));
        Assert.True(answer.AsSpan().IndexOf(edBlob) > 0 && answer.AsSpan().IndexOf(rsaBlob) > 0);
        Assert.Contains("buildx-key-file", System.Text.Encoding.ASCII.GetString(answer), StringComparison.Ordinal);

        // Two SIGN_RESPONSEs (14), verified here with the public keys: Ed25519, then RSA with rsa-sha2-512 as the step asked.
        var responses = File.ReadAllBytes(Path.Combine(output, "signatures"));
        var data = "signed inside a RUN step"u8.ToArray();
        var offset = 0;
        var signatures = new List<(string Algorithm, byte[] Signature)>();
        while (offset < responses.Length)
        {
            var length = ReadUInt32(responses, offset);
            Assert.Equal(14, responses[offset + 4]);
            var blob = responses.AsSpan(offset + 9, length - 5).ToArray();
            var algorithmLength = ReadUInt32(blob, 0);
            signatures.Add((System.Text.Encoding.ASCII.GetString(blob, 4, algorithmLength), blob[(8 + algorithmLength)..]));
            offset += 4 + length;
        }

        Assert.Equal(["ssh-ed25519", "rsa-sha2-512"], signatures.Select(s => s.Algorithm));
        var verifier = new Org.BouncyCastle.Crypto.Signers.Ed25519Signer();
        verifier.Init(false, new Org.BouncyCastle.Crypto.Parameters.Ed25519PublicKeyParameters(edBlob[^32..]));
        verifier.BlockUpdate(data, 0, data.Length);
        Assert.True(verifier.VerifySignature(signatures[0].Signature));
        var exponentLength = ReadUInt32(rsaBlob, 11);
        using var publicKey = System.Security.Cryptography.RSA.Create(new System.Security.Cryptography.RSAParameters
        {
            Exponent = rsaBlob[15..(15 + exponentLength)],
            Modulus = rsaBlob[(19 + exponentLength)..].SkipWhile(b => b == 0).ToArray(),
        });
        Assert.True(publicKey.VerifyData(data, signatures[1].Signature, System.Security.Cryptography.HashAlgorithmName.SHA512, System.Security.Cryptography.RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task An_ssh_path_without_an_agent_is_refused_before_the_build()
    {
        var keyFile = directory.Write("id_fake", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n");
        directory.Write("ctx/Dockerfile", "FROM scratch\n");

        var missing = await Assert.ThrowsAsync<BuildxException>(() => RunAsync(new BuildOptions { Ssh = [new SshSpec("default", [keyFile + ".missing"])] }, null));
        var key = await Assert.ThrowsAsync<BuildxException>(() => RunAsync(new BuildOptions { Ssh = [new SshSpec("git", [keyFile])] }, null));

        // The fake key is parsed as a key file (it is not a socket) and refused as malformed.
        Assert.Equal((ErrorIds.SshAgentUnavailable, BuildxErrorKind.ObjectNotFound), (missing.ErrorId, missing.Kind));
        Assert.Equal((ErrorIds.SshKeyInvalid, BuildxErrorKind.InvalidArgument), (key.ErrorId, key.Kind));
        Assert.Contains(keyFile, key.Message, StringComparison.Ordinal);
        Assert.Contains("BEGIN OPENSSH PRIVATE KEY", key.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inline_cache_export_is_accepted_by_the_docker_driver()
    {
        directory.Write("ctx/Dockerfile", $"FROM {BaseImage}\nRUN echo {Guid.NewGuid():N} > /marker\n");
        var tag = "buildx-test/inline-cache-" + Guid.NewGuid().ToString("N")[..12] + ":latest";
        using var engine = EngineFixture.CreateEngine();
        try
        {
            var result = await RunAsync(new BuildOptions { CacheTo = [CacheSpecParser.ParseCsv("type=inline", export: true)] }, null, tags: [tag]);

            // The result carries the image's names and digest, and the digest is the engine's image id.
            Assert.Equal([tag], result.ImageNames);
            var digest = result.ImageConfigDigest ?? result.ImageDigest;
            Assert.NotNull(digest);
            var image = await new DockerImages(engine).InspectAsync(tag, CancellationToken.None);
            Assert.Equal(digest, image!.Id);
        }
        finally
        {
            using var removal = await engine.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"images/{tag}?force=1"), null, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("""{"layers":[],"records":[]}""", null)]
    [InlineData("not json", "invalid character")]
    public async Task A_local_cache_import_is_read_through_the_session_content_store(string cacheConfig, string? expectedError)
    {
        // A cache layout made here: index.json -> cache manifest -> cache config. The daemon finds the
        // manifest by the digest the client resolved from index.json and reads both blobs through the session.
        var cache = Path.Combine(directory.Path, "cache");
        var config = WriteBlob(cache, cacheConfig);
        var manifest = WriteBlob(cache, $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.buildkit.cacheconfig.v0","digest":"{{{config.Digest}}}","size":{{{config.Size}}}}]}""");
        File.WriteAllText(Path.Combine(cache, "index.json"), $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{{{manifest.Digest}}}","size":{{{manifest.Size}}},"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}""");
        directory.Write("ctx/Dockerfile", $"FROM {BaseImage}\nRUN echo {Guid.NewGuid():N} > /marker\n");

        var result = await RunAsync(new BuildOptions { CacheFrom = [CacheSpecParser.ParseCsv($"type=local,src={cache}", export: false)] }, Path.Combine(directory.Path, "out"));

        // BuildKit reports the import as a step; a bad config is only a failed import, not a failed build.
        var import = Assert.Single(result.Steps, s => s.Name.StartsWith("importing cache manifest from local:", StringComparison.Ordinal));
        if (expectedError is null)
        {
            Assert.Null(import.Error);
        }
        else
        {
            Assert.Contains(expectedError, import.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_local_cache_directory_without_an_index_is_skipped_with_a_warning()
    {
        directory.Write("ctx/Dockerfile", "FROM scratch\nCOPY Dockerfile /\n");
        var events = new List<BuildEvent>();

        var result = await RunAsync(
            new BuildOptions { CacheFrom = [CacheSpecParser.ParseCsv($"type=local,src={Path.Combine(directory.Path, "no-cache")}", export: false)] },
            Path.Combine(directory.Path, "out"),
            onEvent: e => { lock (events) { events.Add(e); } });

        Assert.Contains(events, e => e is BuildWarningEvent w && w.Message.Contains("has no index.json", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Steps, s => s.Name.StartsWith("importing cache manifest", StringComparison.Ordinal));
    }

    private static (string Digest, long Size) WriteBlob(string layout, string content)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(content);
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256"));
        File.WriteAllBytes(Path.Combine(layout, "blobs", "sha256", hex), bytes);
        return ("sha256:" + hex, bytes.Length);
    }

    private async Task<BuildResult> RunAsync(BuildOptions options, string? output, IReadOnlyList<string>? tags = null, Action<BuildEvent>? onEvent = null) => await new BuildRunner(
            new DriverFactory(new DockerContextResolver(new FixedEnvironment(
                new Dictionary<string, string> { ["DOCKER_HOST"] = EngineFixture.Context.Host.Original }, directory.Path))),
            Path.Combine(directory.Path, "buildx"))
        .RunAsync(
            new BuilderDefinition { Name = "default", Driver = DockerDriver.DriverName, Nodes = [new NodeDefinition { Name = "default", Endpoint = "default" }] },
            new BuildRequest
            {
                ContextPath = Path.Combine(directory.Path, "ctx"),
                Outputs = output is null ? [] : [new ExportSpec(ExportSpec.Local, output, new Dictionary<string, string>())],
                Tags = tags ?? [],
                Options = options,
            },
            onEvent ?? (_ => { }),
            rawStatus: false,
            CancellationToken.None);

    /// <summary>tests/fixtures/ssh-agent-client/agent-list.c: a static client that asks the agent at $SSH_AUTH_SOCK for its identities and prints the raw answer.</summary>
    private static void CompileAgentClient(string target)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "fixtures", "ssh-agent-client", "agent-list.c");
        Run("gcc", ["-static", "-O2", "-o", target, source], null);
    }

    private static byte[] PublicBlob(string publicKeyFile) => Convert.FromBase64String(File.ReadAllText(publicKeyFile).Split(' ')[1]);

    private static int ReadUInt32(byte[] data, int offset) => (data[offset] << 24) | (data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3];

    /// <summary>A static agent client for the RUN step: lists identities, then asks each to sign (flags rsa-sha2-512).</summary>
    private void CompileAgentSigner(string target)
    {
        var source = directory.Write("agent-sign.c", """
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <sys/socket.h>
            #include <sys/un.h>
            #include <unistd.h>
            static unsigned char buffer[65536], answer[65536], request[65536];
            static unsigned be32(const unsigned char *p) { return ((unsigned)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]; }
            static void put32(unsigned char *p, unsigned v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
            static long roundtrip(int s, const unsigned char *req, size_t len) {
                if (write(s, req, len) != (ssize_t)len) return -1;
                size_t n = 0, length = 0;
                while (n < 4 || n < length + 4) {
                    ssize_t r = read(s, buffer + n, sizeof buffer - n);
                    if (r <= 0) return -1;
                    n += (size_t)r;
                    if (n >= 4) length = be32(buffer);
                }
                return (long)(length + 4);
            }
            int main(void) {
                const char *path = getenv("SSH_AUTH_SOCK");
                if (!path) return 2;
                int s = socket(AF_UNIX, SOCK_STREAM, 0);
                struct sockaddr_un a; memset(&a, 0, sizeof a); a.sun_family = AF_UNIX;
                strncpy(a.sun_path, path, sizeof a.sun_path - 1);
                if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return 3;
                unsigned char list[5] = {0, 0, 0, 1, 11};
                long n = roundtrip(s, list, 5);
                if (n < 0) return 4;
                FILE *ids = fopen("/out/identities", "wb"); fwrite(buffer, 1, (size_t)n, ids); fclose(ids);
                memcpy(answer, buffer, (size_t)n);
                unsigned count = be32(answer + 5); size_t off = 9;
                const char *data = "signed inside a RUN step"; unsigned dataLength = (unsigned)strlen(data);
                FILE *sigs = fopen("/out/signatures", "wb");
                for (unsigned i = 0; i < count; i++) {
                    unsigned blobLength = be32(answer + off); const unsigned char *blob = answer + off + 4;
                    off += 4 + blobLength; off += 4 + be32(answer + off);
                    size_t p = 4; request[p++] = 13;
                    put32(request + p, blobLength); p += 4; memcpy(request + p, blob, blobLength); p += blobLength;
                    put32(request + p, dataLength); p += 4; memcpy(request + p, data, dataLength); p += dataLength;
                    put32(request + p, 4); p += 4;
                    put32(request, (unsigned)(p - 4));
                    n = roundtrip(s, request, p);
                    if (n < 0) return 5;
                    fwrite(buffer, 1, (size_t)n, sigs);
                }
                fclose(sigs);
                return 0;
            }
            """);
        Run("gcc", ["-static", "-O2", "-o", target, source], null);
    }

    private static Process Start(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
    }

    private static void Run(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {output.Result}{errors.Result}");
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}
