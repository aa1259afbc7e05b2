using System.Text;
using System.Text.Json;
using Buildx.Core.Docker;
using Buildx.Core.Errors;
using Buildx.Core.Registry;

namespace Buildx.Core.Tests.Registry;

/// <summary>Logins from config.json, real credential-helper executables, and explicit ones.</summary>
public sealed class RegistryCredentialStoreTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Reads_auths_from_config_json()
    {
        WriteConfig(new { auths = new Dictionary<string, object> { ["https://127.0.0.1:5001"] = new { auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("buildx:s3cret:with-colon")) } } });

        var login = await Store().GetAsync("127.0.0.1:5001", CancellationToken.None);

        Assert.Equal(new RegistryCredential("buildx", "s3cret:with-colon"), login);
        Assert.Null(await Store().GetAsync("127.0.0.1:5000", CancellationToken.None));
    }

    [Fact]
    public async Task Identity_tokens_have_no_username()
    {
        WriteConfig(new { auths = new Dictionary<string, object> { ["reg.example"] = new { identitytoken = "tok" } } });

        var login = await Store().GetAsync("reg.example", CancellationToken.None);

        Assert.True(login!.IsIdentityToken);
        Assert.Equal("tok", login.Secret);
    }

    [Fact]
    public async Task Docker_hub_names_share_one_login()
    {
        WriteConfig(new { auths = new Dictionary<string, object> { [RegistryHost.DockerHubKey] = new { auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("hubuser:pw")) } } });

        Assert.Equal("hubuser", (await Store().GetAsync("registry-1.docker.io", CancellationToken.None))!.Username);
        Assert.Equal("hubuser", (await Store().GetAsync("docker.io", CancellationToken.None))!.Username);
    }

    [Fact]
    public async Task Explicit_logins_win_over_the_config()
    {
        WriteConfig(new { auths = new Dictionary<string, object> { ["reg.example"] = new { auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("a:b")) } } });

        var store = Store(new Dictionary<string, RegistryCredential> { ["https://reg.example/"] = new("explicit", "pw") });

        Assert.Equal("explicit", (await store.GetAsync("reg.example", CancellationToken.None))!.Username);
    }

    [Fact]
    public async Task A_bad_config_file_is_refused_with_its_path()
    {
        File.WriteAllText(Path.Combine(directory.Path, "config.json"), "{ not json");

        var error = await Assert.ThrowsAsync<BuildxException>(() => Store().GetAsync("reg.example", CancellationToken.None));

        Assert.Equal(ErrorIds.DockerConfigInvalid, error.ErrorId);
        Assert.Contains("config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credential_helpers_are_run_for_their_registries()
    {
        var helper = HelperScript.Create(directory.Path, "buildxtest" + Guid.NewGuid().ToString("N")[..8]);
        WriteConfig(new { credHelpers = new Dictionary<string, string> { ["127.0.0.1:5001"] = helper.Name }, auths = new Dictionary<string, object> { ["127.0.0.1:5001"] = new { auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("from:auths")) } } });

        using (helper.OnPath())
        {
            var login = await Store().GetAsync("127.0.0.1:5001", CancellationToken.None);

            Assert.Equal(new RegistryCredential("helper-user", "helper-secret-for-127.0.0.1:5001"), login);
            // The helper got the server address on stdin.
            Assert.Equal("127.0.0.1:5001", File.ReadAllText(helper.InputLog).Trim());
        }
    }

    [Fact]
    public async Task A_creds_store_without_a_login_means_anonymous()
    {
        var helper = HelperScript.Create(directory.Path, "buildxtest" + Guid.NewGuid().ToString("N")[..8]);
        WriteConfig(new { credsStore = helper.Name });

        using (helper.OnPath())
        {
            Assert.Null(await Store().GetAsync("unknown.example", CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_missing_helper_is_an_error_naming_it()
    {
        WriteConfig(new { credsStore = "buildx-no-such-helper" });

        var error = await Assert.ThrowsAsync<BuildxException>(() => Store().GetAsync("reg.example", CancellationToken.None));

        Assert.Equal(ErrorIds.RegistryCredentialsUnavailable, error.ErrorId);
        Assert.Contains("docker-credential-buildx-no-such-helper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_engine_auth_header_is_url_safe_base64_json()
    {
        var header = RegistryAuthHeader.Encode(new RegistryCredential("buildx", "p+/w?"), "127.0.0.1:5001");

        Assert.DoesNotContain('+', header);
        Assert.DoesNotContain('/', header);
        using var json = JsonDocument.Parse(RegistryAuthHeader.Decode(header));
        Assert.Equal("buildx", json.RootElement.GetProperty("username").GetString());
        Assert.Equal("p+/w?", json.RootElement.GetProperty("password").GetString());
        Assert.Equal("127.0.0.1:5001", json.RootElement.GetProperty("serveraddress").GetString());
    }

    [Theory]
    [InlineData("127.0.0.1:5001/app:1", "127.0.0.1:5001")]
    [InlineData("localhost/app", "localhost")]
    [InlineData("library/busybox", RegistryHost.DockerHubKey)]
    [InlineData("busybox", RegistryHost.DockerHubKey)]
    [InlineData("ghcr.io/o/app", "ghcr.io")]
    public void Finds_the_registry_of_an_image(string image, string host) => Assert.Equal(host, RegistryHost.OfImage(image));

    private RegistryCredentialStore Store(Dictionary<string, RegistryCredential>? logins = null) =>
        new(new FixedEnvironment(new Dictionary<string, string> { ["DOCKER_CONFIG"] = directory.Path }, directory.Path), logins);

    private void WriteConfig(object config) => File.WriteAllText(Path.Combine(directory.Path, "config.json"), JsonSerializer.Serialize(config));
}
