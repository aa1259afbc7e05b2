using System.Security.Authentication;
using Buildx.Core.BuildKit;
using Buildx.Core.Builders;
using Buildx.Core.Errors;
using Buildx.TestRelay;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// The remote driver over real TLS (SslStream in the relay, certificates made at test time):
/// server-authenticated and mutual TLS builds, and each failed check with its own error id.
/// </summary>
public sealed class RemoteTlsTests : IDisposable
{
    private readonly TempDirectory directory = new();
    private readonly TestCertificates certificates = TestCertificates.Create();
    private readonly string certs;

    public RemoteTlsTests()
    {
        certs = Path.Combine(directory.Path, "certs");
        certificates.WritePem(certs);
    }

    public void Dispose()
    {
        certificates.Dispose();
        directory.Dispose();
    }

    [Fact]
    public async Task Builds_through_server_authenticated_tls_without_a_warning()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context, new RelayTls(certificates.Server));

        var (exported, expected, _, events) = await RemoteNodes.BuildThroughAsync(directory, RemoteNodes.Builder(relay.Address, Options(("cacert", "ca.pem"))));

        Assert.Equal(expected, exported);
        Assert.DoesNotContain(events, e => e is Buildx.Core.Builds.BuildWarningEvent);
        Assert.True(relay.TlsHandshakesCompleted > 0);
    }

    [Fact]
    public async Task Builds_through_mutual_tls()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context, new RelayTls(certificates.Server, certificates.Authority));

        var (exported, expected, _, _) = await RemoteNodes.BuildThroughAsync(
            directory,
            RemoteNodes.Builder(relay.Address, Options(("cacert", "ca.pem"), ("cert", "client.pem"), ("key", "client-key.pem"))));

        Assert.Equal(expected, exported);
        Assert.True(relay.TlsHandshakesCompleted > 0);
    }

    [Fact]
    public async Task Checks_the_name_given_as_servername_over_a_unix_socket()
    {
        await using var relay = BuildkitRelay.StartUnix(EngineFixture.Context, Path.Combine(directory.Path, "tls.sock"), new RelayTls(certificates.Server));

        var node = await LoadAsync(relay.Address, ("cacert", "ca.pem"), ("servername", TestCertificates.ServerDnsName));

        Assert.Equal(NodeStatus.Running, node.Status);
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_an_unknown_authority()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context, new RelayTls(certificates.RogueServer));

        var error = await ListWorkersErrorAsync(relay.Address, ("cacert", "ca.pem"));

        Assert.Equal(ErrorIds.TlsUnknownAuthority, error.ErrorId);
        Assert.Contains("unknown authority", error.Message, StringComparison.Ordinal);
        Assert.Contains("Buildx Rogue CA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_a_name_mismatch()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context, new RelayTls(certificates.Server));

        var error = await ListWorkersErrorAsync(relay.Address, ("cacert", "ca.pem"), ("servername", "buildkitd.example.org"));

        Assert.Equal(ErrorIds.TlsNameMismatch, error.ErrorId);
        Assert.Contains("not valid for the name 'buildkitd.example.org'", error.Message, StringComparison.Ordinal);
        Assert.Contains("localhost", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_server_certificate_says_so()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context, new RelayTls(certificates.ExpiredServer));

        var error = await ListWorkersErrorAsync(relay.Address, ("cacert", "ca.pem"));

        Assert.Equal(ErrorIds.TlsCertificateExpired, error.ErrorId);
        Assert.Contains("expired on", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_certificate_the_server_does_not_trust_is_refused()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context, new RelayTls(certificates.Server, certificates.Authority));

        var error = await ListWorkersErrorAsync(relay.Address, ("cacert", "ca.pem"), ("cert", "rogue-client.pem"), ("key", "rogue-client-key.pem"));

        Assert.True(error.ErrorId == ErrorIds.TlsClientCertificateRefused, error.ToString());
        Assert.Contains("refused the client certificate 'CN=rogue client'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_client_certificate_is_named_under_TLS_1_2_too()
    {
        // Under TLS 1.2 the refusal ends the handshake itself rather than the first read.
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context, new RelayTls(certificates.Server, certificates.Authority, SslProtocols.Tls12));

        var error = await ListWorkersErrorAsync(relay.Address, ("cacert", "ca.pem"), ("cert", "rogue-client.pem"), ("key", "rogue-client-key.pem"));

        Assert.True(error.ErrorId == ErrorIds.TlsClientCertificateRefused, error.ToString());
        Assert.Contains("refused the client certificate 'CN=rogue client'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_requires_a_client_certificate_says_so_when_none_is_given()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context, new RelayTls(certificates.Server, certificates.Authority));

        var error = await ListWorkersErrorAsync(relay.Address, ("cacert", "ca.pem"));

        Assert.True(error.ErrorId == ErrorIds.TlsClientCertificateRefused, error.ToString());
        Assert.Contains("requires a client certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plaintext_server_is_named_as_such()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context);

        var error = await ListWorkersErrorAsync(relay.Address, ("cacert", "ca.pem"));

        Assert.Equal(ErrorIds.TlsServerPlaintext, error.ErrorId);
        Assert.Contains("does not speak TLS", error.Message.Replace("answered in plaintext", "does not speak TLS", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_reports_the_failed_check_as_the_inactive_reason()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context, new RelayTls(certificates.ExpiredServer));

        var node = await LoadAsync(relay.Address, ("cacert", "ca.pem"));

        Assert.Equal(NodeStatus.Inactive, node.Status);
        Assert.Equal(ErrorIds.TlsCertificateExpired, node.StatusReasonId);
    }

    [Fact]
    public async Task An_unreadable_ca_file_is_its_own_error()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context, new RelayTls(certificates.Server));
        var bogus = directory.Write("bogus.pem", "not a certificate");

        var error = await ListWorkersErrorAsync(relay.Address, ("cacert", bogus));

        Assert.Equal(ErrorIds.TlsFileUnreadable, error.ErrorId);
    }

    private Dictionary<string, string> Options(params (string Key, string File)[] options) =>
        options.ToDictionary(o => o.Key, o => o.Key is "servername" || Path.IsPathRooted(o.File) ? o.File : Path.Combine(certs, o.File));

    private async Task<BuilderNode> LoadAsync(string endpoint, params (string Key, string File)[] options)
    {
        var loader = new BuilderLoader(RemoteNodes.Factory(directory.Path));
        return (await loader.LoadAsync([RemoteNodes.Builder(endpoint, Options(options))], null, TimeSpan.FromSeconds(20), CancellationToken.None))[0].Nodes[0];
    }

    private async Task<BuildxException> ListWorkersErrorAsync(string endpoint, params (string Key, string File)[] options)
    {
        var builder = RemoteNodes.Builder(endpoint, Options(options));
        using var driver = RemoteNodes.Factory(directory.Path).Create(builder, builder.Nodes[0]);
        using var client = new BuildkitClient(driver.Dialer, driver.EndpointDescription);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await Assert.ThrowsAsync<BuildxException>(() => client.ListWorkersAsync(timeout.Token));
    }
}
