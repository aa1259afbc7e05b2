using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Buildx.Core.Builders;
using Buildx.Core.Builds;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Exports;
using Buildx.Core.Registry;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// Outputs against the real engine and the real registries: several outputs in one call, push with
/// and without a login, load checked through the Engine API, a tarball into a caller's stream, and
/// registry logins served to BuildKit through the session's Auth service.
/// </summary>
public sealed class ExportBuildTests : IDisposable
{
    private readonly TempDirectory directory = new();
    private readonly List<string> images = [];

    public void Dispose()
    {
        foreach (var image in images)
        {
            EngineApi.SendAsync(HttpMethod.Delete, $"images/{image}?force=1").GetAwaiter().GetResult();
        }

        directory.Dispose();
    }

    [Fact]
    public async Task Several_outputs_in_one_call_solve_once_per_output_on_the_engine()
    {
        var context = Context("FROM scratch\nCOPY . /\n", ("a.txt", "several outputs"));
        var local = Path.Combine(directory.Path, "a");
        var tar = Path.Combine(directory.Path, "b.tar");

        var result = await Build(new BuildRequest
        {
            ContextPath = context,
            Outputs = [Spec(ExportSpec.Local, local), Spec(ExportSpec.Tar, tar)],
        });

        Assert.Equal("several outputs", File.ReadAllText(Path.Combine(local, "a.txt")));
        Assert.Equal("several outputs", ReadTarEntry(File.OpenRead(tar), "a.txt"));
        // The engine's BuildKit v0.8 takes one exporter per solve: the second solve is answered from the cache.
        Assert.Equal(2, result.SolveCount);
        Assert.Equal(["local", "tar"], result.Exports.Select(e => e.Exporter));
        Assert.Equal([local, tar], result.Exports.Select(e => e.Path));
        Assert.Equal([local, tar], result.Outputs);
    }

    [Fact]
    public async Task A_tarball_goes_to_the_callers_stream_with_dest_dash()
    {
        var context = Context("FROM scratch\nCOPY . /\n", ("piped.txt", "through the stream"));
        using var stream = new MemoryStream();

        var result = await Build(new BuildRequest
        {
            ContextPath = context,
            Outputs = [ExportSpecParser.ParseCsv("-")],
            StandardOutput = stream,
        });

        stream.Position = 0;
        Assert.Equal("through the stream", ReadTarEntry(stream, "piped.txt"));
        Assert.Equal("tar", Assert.Single(result.Exports).Exporter);
    }

    [Fact]
    public async Task Load_stores_the_image_in_the_engine()
    {
        var name = EngineApi.UniqueName("buildx-load") + ":1";
        images.Add(name);
        var context = Context($"FROM {EngineApi.BaseImage}\nRUN echo loaded > /loaded.txt\n");

        var result = await Build(new BuildRequest { ContextPath = context, Tags = [name], Load = true });

        var (status, body) = await EngineApi.SendAsync(HttpMethod.Get, $"images/{name}/json");
        Assert.Equal(200, status);
        Assert.Contains(name, body, StringComparison.Ordinal);
        var export = Assert.Single(result.Exports);
        Assert.Equal("moby", export.Exporter);
        Assert.True(export.Loaded);
        Assert.Equal([name], export.ImageNames);
        // The engine's exporter reports the image ID as the digest.
        Assert.StartsWith("sha256:", export.Digest, StringComparison.Ordinal);
        Assert.Contains($"\"Id\":\"{export.Digest}\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_engine_loads_a_docker_archive_stream()
    {
        // What a docker output without dest feeds the engine on other drivers: a docker-archive
        // (here saved from the engine itself) streamed into POST /images/load.
        var name = EngineApi.UniqueName("buildx-loadstream") + ":1";
        images.Add(name);
        var (tagged, _) = await EngineApi.SendAsync(HttpMethod.Post, $"images/{EngineApi.BaseImage}/tag?repo={name.Split(':')[0]}&tag=1");
        Assert.Equal(201, tagged);
        using var engine = EngineFixture.CreateEngine();
        var archive = await SaveAsync(name);
        await EngineApi.SendAsync(HttpMethod.Delete, $"images/{name}");
        Assert.Null(await new DockerImages(engine).InspectAsync(name, CancellationToken.None));

        var loaded = await new DockerImages(engine).LoadAsync(new MemoryStream(archive), CancellationToken.None);

        Assert.Contains(loaded, line => line.Contains(name, StringComparison.Ordinal));
        Assert.NotNull(await new DockerImages(engine).InspectAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task Push_to_an_anonymous_registry_goes_through_the_engine()
    {
        var repository = EngineApi.UniqueName("buildx-push");
        var name = $"{EngineApi.AnonymousRegistry}/{repository}:1";
        images.Add(name);
        var context = Context($"FROM {EngineApi.BaseImage}\nRUN echo pushed > /pushed.txt\n");
        var events = new List<BuildEvent>();

        var result = await Build(new BuildRequest { ContextPath = context, Tags = [name], Push = true }, events);

        Assert.NotNull(await EngineApi.RegistryDigestAsync(EngineApi.AnonymousRegistry, repository, "1"));
        Assert.Equal([name], Assert.Single(result.Exports).Pushed);
        Assert.Contains(events, e => e is ClientMessageEvent { Message: var m } && m == $"pushing {name} with docker");
    }

    [Fact]
    public async Task Push_to_a_registry_with_a_login_sends_the_credential_and_fails_clearly_without()
    {
        var repository = EngineApi.UniqueName("buildx-auth");
        var name = $"{EngineApi.AuthRegistry}/{repository}:1";
        images.Add(name);
        var context = Context($"FROM {EngineApi.BaseImage}\nRUN echo auth > /auth.txt\n");

        var error = await Assert.ThrowsAsync<BuildxException>(() => Build(new BuildRequest { ContextPath = context, Tags = [name], Push = true }));
        Assert.Equal(ErrorIds.ImagePushFailed, error.ErrorId);
        Assert.True(error.Kind == BuildxErrorKind.PermissionDenied, error.Message);
        Assert.Null(await EngineApi.RegistryDigestAsync(EngineApi.AuthRegistry, repository, "1", authenticate: true));

        await Build(new BuildRequest
        {
            ContextPath = context,
            Tags = [name],
            Push = true,
            RegistryCredentials = new Dictionary<string, RegistryCredential> { [EngineApi.AuthRegistry] = new(EngineApi.AuthUser, EngineApi.AuthPassword) },
        });
        Assert.NotNull(await EngineApi.RegistryDigestAsync(EngineApi.AuthRegistry, repository, "1", authenticate: true));
    }

    [Fact]
    public async Task BuildKit_pulls_from_a_registry_with_the_login_served_by_the_session()
    {
        // Put the base image into the login-protected registry, then drop it from the engine so
        // BuildKit has to pull it, asking the session's Auth service for the login.
        var repository = EngineApi.UniqueName("buildx-base");
        var remote = $"{EngineApi.AuthRegistry}/{repository}";
        var (tagged, tagBody) = await EngineApi.SendAsync(HttpMethod.Post, $"images/{EngineApi.BaseImage}/tag?repo={remote}&tag=1");
        Assert.True(tagged == 201, tagBody);
        using (var engine = EngineFixture.CreateEngine())
        {
            await new DockerImages(engine).PushAsync(remote + ":1", new RegistryCredential(EngineApi.AuthUser, EngineApi.AuthPassword), null, CancellationToken.None);
        }

        await EngineApi.SendAsync(HttpMethod.Delete, $"images/{remote}:1");
        var context = Context($"FROM {remote}:1\nRUN echo from-auth-registry > /from.txt\n");

        var anonymous = await Assert.ThrowsAsync<BuildxException>(() => Build(new BuildRequest { ContextPath = context, Outputs = [Spec(ExportSpec.CacheOnly, null)] }));
        Assert.True(anonymous.ErrorId == ErrorIds.RegistryUnauthorized, anonymous.Message);
        Assert.Equal(BuildxErrorKind.PermissionDenied, anonymous.Kind);
        Assert.Contains("401 Unauthorized", anonymous.Message, StringComparison.Ordinal);
        Assert.Contains("-Credential", anonymous.Message, StringComparison.Ordinal);

        // The login comes from config.json under DOCKER_CONFIG.
        var config = Path.Combine(directory.Path, "docker-config");
        Directory.CreateDirectory(config);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{EngineApi.AuthUser}:{EngineApi.AuthPassword}"));
        File.WriteAllText(Path.Combine(config, "config.json"), JsonSerializer.Serialize(new { auths = new Dictionary<string, object> { [EngineApi.AuthRegistry] = new { auth } } }));
        var output = Path.Combine(directory.Path, "out");
        var result = await Build(
            new BuildRequest { ContextPath = context, Outputs = [Spec(ExportSpec.Local, output)] },
            environment: new FixedEnvironment(new Dictionary<string, string> { ["DOCKER_CONFIG"] = config }, directory.Path));

        Assert.Equal("from-auth-registry\n", File.ReadAllText(Path.Combine(output, "from.txt")));
        Assert.True(result.StepCount > 0);
    }

    [Fact]
    public async Task Refused_outputs_fail_before_the_build_starts()
    {
        var context = Context("FROM scratch\n");

        var error = await Assert.ThrowsAsync<BuildxException>(() => Build(new BuildRequest
        {
            ContextPath = context,
            Outputs = [new ExportSpec(ExportSpec.Oci, Path.Combine(directory.Path, "x.tar"), new Dictionary<string, string>())],
        }));

        Assert.Equal(ErrorIds.OutputNotSupported, error.ErrorId);
        Assert.False(File.Exists(Path.Combine(directory.Path, "x.tar")));
    }

    private async Task<BuildResult> Build(BuildRequest request, List<BuildEvent>? events = null, IEnvironment? environment = null)
    {
        var runner = new BuildRunner(
            new DriverFactory(new DockerContextResolver(new FixedEnvironment(
                new Dictionary<string, string> { ["DOCKER_HOST"] = EngineFixture.Context.Host.Original }, directory.Path))),
            Path.Combine(directory.Path, "buildx"))
        {
            // No config.json unless a test gives one: logins come only from the request.
            Environment = environment ?? new FixedEnvironment(new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(directory.Path, "no-config") }, directory.Path),
        };
        return await runner.RunAsync(
            new BuilderDefinition { Name = "default", Driver = DockerDriver.DriverName, Nodes = [new NodeDefinition { Name = "default", Endpoint = "default" }] },
            request,
            e => { if (events is not null) { lock (events) { events.Add(e); } } },
            rawStatus: false,
            CancellationToken.None);
    }

    private string Context(string dockerfile, params (string Name, string Content)[] files)
    {
        var name = "ctx-" + Guid.NewGuid().ToString("N")[..8];
        directory.Write(name + "/Dockerfile", dockerfile);
        foreach (var (file, content) in files)
        {
            directory.Write($"{name}/{file}", content);
        }

        return Path.Combine(directory.Path, name);
    }

    private static async Task<byte[]> SaveAsync(string image)
    {
        var socketPath = EngineFixture.Context.Host.Address;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath), token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        });
        return await http.GetByteArrayAsync($"http://engine/v1.41/images/{image}/get");
    }

    private static ExportSpec Spec(string type, string? destination) => new(type, destination, new Dictionary<string, string>());

    private static string? ReadTarEntry(Stream tar, string name)
    {
        using var reader = new TarReader(tar);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name.TrimStart('.', '/') == name && entry.DataStream is { } data)
            {
                using var text = new StreamReader(data);
                return text.ReadToEnd();
            }
        }

        return null;
    }
}
