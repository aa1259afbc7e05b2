using System.Security.Cryptography.X509Certificates;
using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Tests.Engine;
using Buildx.Core.Tests.Store;
using Buildx.TestRelay;

namespace Buildx.Core.Tests.Builders;

/// <summary>
/// Remote builders in the store as buildx keeps them: BUILDKIT_HOST, the endpoint and TLS options
/// as stored strings, certificates given as objects written as PEM files, and removal.
/// </summary>
public sealed class RemoteBuilderManagerTests : IDisposable
{
    private readonly BuildxStoreFixture store = new(withFixtureFiles: false);
    private readonly TempDirectory home = new();

    public void Dispose()
    {
        store.Dispose();
        home.Dispose();
    }

    [Fact]
    public async Task Without_a_driver_or_endpoint_BUILDKIT_HOST_makes_a_remote_builder_as_buildx_stores_it()
    {
        var manager = Manager(buildkitHost: "tcp://127.0.0.1:1");
        using (var pending = manager.BeginCreate(new CreateBuilderRequest { Name = "fromenv" }, CancellationToken.None))
        {
            Assert.Equal("remote", pending.Plan.Driver);
            Assert.Contains(pending.Plan.Warnings, w => w.Contains("anyone who can reach that port", StringComparison.Ordinal));
            var stored = await pending.CommitAsync(TimeSpan.FromSeconds(10), null, CancellationToken.None);
            Assert.Equal("tcp://127.0.0.1:1", stored.Nodes[0].Endpoint);
        }

        // No buildkitd flags for remote nodes (buildx adds the network.host entitlement only for container drivers).
        Assert.Equal(
            """{"Name":"fromenv","Driver":"remote","Nodes":[{"Name":"fromenv0","Endpoint":"tcp://127.0.0.1:1","Platforms":null,"DriverOpts":null,"Flags":null,"Files":null}],"Dynamic":false}""",
            store.ReadText("instances/fromenv"));
    }

    [Fact]
    public void A_remote_builder_needs_an_endpoint()
    {
        var error = Assert.Throws<BuildxException>(() => Manager().BeginCreate(new CreateBuilderRequest { Name = "noendpoint", Driver = "remote" }, CancellationToken.None));

        Assert.Equal(ErrorIds.RemoteEndpointRequired, error.ErrorId);
        Assert.False(File.Exists(store.PathOf("instances/noendpoint")));
    }

    [Theory]
    [InlineData("ssh://me@builder", ErrorIds.RemoteSchemeNotSupported)]
    [InlineData("tcp://builder", ErrorIds.InvalidEndpoint)]
    [InlineData("kube-pod://Pod_0", ErrorIds.InvalidEndpoint)]
    public void Refuses_endpoints_it_cannot_use(string endpoint, string errorId)
    {
        var error = Assert.Throws<BuildxException>(() => Manager().BeginCreate(new CreateBuilderRequest { Name = "bad", Driver = "remote", Endpoint = endpoint }, CancellationToken.None));
        Assert.Equal(errorId, error.ErrorId);
    }

    [Fact]
    public void Refuses_buildkitd_flags_and_missing_tls_files()
    {
        var flags = Assert.Throws<BuildxException>(() => Manager().BeginCreate(
            new CreateBuilderRequest { Name = "flags", Driver = "remote", Endpoint = "unix:///run/buildkitd.sock", BuildkitdFlags = ["--debug"] }, CancellationToken.None));
        Assert.Equal(ErrorIds.RemoteDriverSettingNotSupported, flags.ErrorId);

        var missing = Assert.Throws<BuildxException>(() => Manager().BeginCreate(
            new CreateBuilderRequest { Name = "nofile", Driver = "remote", Endpoint = "tcp://127.0.0.1:1234", DriverOptions = [new("cacert", "/nonexistent/ca.pem")] }, CancellationToken.None));
        Assert.Equal(ErrorIds.TlsFileUnreadable, missing.ErrorId);
    }

    [Fact]
    public async Task Certificates_given_as_objects_are_written_as_PEM_files_the_options_name()
    {
        using var certificates = TestCertificates.Create();
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context, new RelayTls(certificates.Server, certificates.Authority));
        var manager = Manager();

        BuilderDefinition stored;
        using (var pending = manager.BeginCreate(
            new CreateBuilderRequest { Name = "Secure", Driver = "remote", Endpoint = relay.Address, CaCertificate = certificates.Authority, ClientCertificate = certificates.Client },
            CancellationToken.None))
        {
            Assert.Empty(pending.Plan.Warnings);
            Assert.Equal(3, pending.Plan.FilesWritten.Count);
            Assert.False(File.Exists(pending.Plan.FilesWritten[0]));
            stored = await pending.CommitAsync(TimeSpan.FromSeconds(20), null, CancellationToken.None);
        }

        var options = stored.Nodes[0].DriverOptions;
        var directory = store.PathOf("certs/secure/secure0");
        Assert.Equal(Path.Combine(directory, "ca.pem"), options["cacert"]);
        Assert.Equal(Path.Combine(directory, "cert.pem"), options["cert"]);
        Assert.Equal(Path.Combine(directory, "key.pem"), options["key"]);
        Assert.Equal(certificates.Authority.Thumbprint, X509Certificate2.CreateFromPem(File.ReadAllText(options["cacert"])).Thumbprint);
        using (var client = X509Certificate2.CreateFromPemFile(options["cert"], options["key"]))
        {
            Assert.True(client.HasPrivateKey);
            Assert.Equal(certificates.Client.Thumbprint, client.Thumbprint);
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(options["key"]));
        }

        // The stored options carry the TLS into every later command: the node answers over mutual TLS.
        var node = (await new BuilderLoader(RemoteNodes.Factory(home.Path)).LoadAsync([stored], null, TimeSpan.FromSeconds(20), CancellationToken.None))[0].Nodes[0];
        Assert.Equal(NodeStatus.Running, node.Status);
    }

    [Fact]
    public void A_certificate_object_completes_the_tls_options_given_as_driver_options()
    {
        using var certificates = TestCertificates.Create();

        using (var pending = Manager().BeginCreate(
            new CreateBuilderRequest { Name = "mixed", Driver = "remote", Endpoint = "tcp://127.0.0.1:1234", CaCertificate = certificates.Authority, DriverOptions = [new("ServerName", "buildkitd.example")] },
            CancellationToken.None))
        {
            Assert.Equal("buildkitd.example", pending.Plan.Node.DriverOptions["servername"]);
            Assert.Equal(store.PathOf("certs/mixed/mixed0/ca.pem"), pending.Plan.Node.DriverOptions["cacert"]);
        }

        // Given twice, it is refused rather than one silently winning.
        var twice = Assert.Throws<BuildxException>(() => Manager().BeginCreate(
            new CreateBuilderRequest { Name = "twice", Driver = "remote", Endpoint = "tcp://127.0.0.1:1234", CaCertificate = certificates.Authority, DriverOptions = [new("cacert", "/ca.pem")] },
            CancellationToken.None));
        Assert.Equal(ErrorIds.InvalidDriverOption, twice.ErrorId);
    }

    [Fact]
    public async Task A_failed_create_leaves_no_certificate_files_behind()
    {
        using var certificates = TestCertificates.Create();
        await using var plaintext = BuildkitRelay.StartTcp(EngineFixture.Context);
        var manager = Manager();

        // Bootstrap with TLS against a plaintext daemon: the create is rolled back.
        using (var pending = manager.BeginCreate(
            new CreateBuilderRequest { Name = "rollback", Driver = "remote", Endpoint = plaintext.Address, CaCertificate = certificates.Authority, Bootstrap = true },
            CancellationToken.None))
        {
            var error = await Assert.ThrowsAsync<BuildxException>(() => pending.CommitAsync(TimeSpan.FromSeconds(5), null, CancellationToken.None));
            Assert.Equal(ErrorIds.TlsServerPlaintext, error.ErrorId);
        }

        Assert.False(File.Exists(store.PathOf("instances/rollback")));
        Assert.False(File.Exists(store.PathOf("certs/rollback/rollback0/ca.pem")));
    }

    [Fact]
    public async Task A_remote_builder_is_removed_without_KeepDaemon()
    {
        using var certificates = TestCertificates.Create();
        var manager = Manager();
        using (var pending = manager.BeginCreate(
            new CreateBuilderRequest { Name = "gone", Driver = "remote", Endpoint = "kube-pod://buildkitd-0?namespace=ci", CaCertificate = certificates.Authority },
            CancellationToken.None))
        {
            await pending.CommitAsync(TimeSpan.FromSeconds(10), null, CancellationToken.None);
        }

        Assert.Contains("kube-pod://buildkitd-0?namespace=ci", store.ReadText("instances/gone"), StringComparison.Ordinal);
        Assert.True(File.Exists(store.PathOf("certs/gone/gone0/ca.pem")));
        using (var removal = manager.BeginRemove("gone", keepState: false, keepDaemon: false, CancellationToken.None))
        {
            Assert.Contains(store.PathOf("certs/gone"), removal.Plan.StorePaths);
            await removal.CommitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        Assert.False(File.Exists(store.PathOf("instances/gone")));
        Assert.False(Directory.Exists(store.PathOf("certs/gone")));
    }

    [Fact]
    public async Task Removing_one_node_removes_its_certificate_files_only()
    {
        using var certificates = TestCertificates.Create();
        var manager = Manager();
        foreach (var (endpoint, node, append) in new[] { ("tcp://127.0.0.1:1234", "first", false), ("tcp://127.0.0.1:1235", "second", true) })
        {
            using var pending = manager.BeginCreate(
                new CreateBuilderRequest { Name = "pair", NodeName = node, Driver = "remote", Endpoint = endpoint, CaCertificate = certificates.Authority, Append = append },
                CancellationToken.None);
            await pending.CommitAsync(TimeSpan.FromSeconds(10), null, CancellationToken.None);
        }

        Assert.True(File.Exists(store.PathOf("certs/pair/second/ca.pem")));
        using (var leave = manager.BeginLeave("pair", "second", keepState: false, keepDaemon: false, CancellationToken.None))
        {
            await leave.CommitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        Assert.False(Directory.Exists(store.PathOf("certs/pair/second")));
        Assert.True(File.Exists(store.PathOf("certs/pair/first/ca.pem")));
    }

    private BuilderManager Manager(string? buildkitHost = null)
    {
        var variables = new Dictionary<string, string>
        {
            ["BUILDX_CONFIG"] = store.Root,
            ["DOCKER_HOST"] = EngineFixture.Context.Host.Original,
            ["DOCKER_CONFIG"] = home.Path,
        };
        if (buildkitHost is not null)
        {
            variables["BUILDKIT_HOST"] = buildkitHost;
        }

        var environment = new FixedEnvironment(variables, home.Path);
        var contexts = new DockerContextResolver(environment);
        var drivers = new DriverFactory(contexts, environment);
        return new BuilderManager(new BuilderCatalog(contexts, environment), contexts, drivers, new BuilderLoader(drivers), environment);
    }
}
