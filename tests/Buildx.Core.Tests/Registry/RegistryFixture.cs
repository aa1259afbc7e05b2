using System.Net.Http.Headers;
using System.Text;
using Buildx.Core.Builders;
using Buildx.Core.Builds;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Registry;
using Buildx.Core.Tests.Engine;

namespace Buildx.Core.Tests.Registry;

/// <summary>
/// The real registries build.ps1 starts (127.0.0.1:5000 anonymous, :5001 with htpasswd), and
/// images put there the way the docker driver does: a build into the engine, then the Engine
/// API's push (<c>-Push</c>). Everything goes to repositories named per test.
/// </summary>
public static class RegistryFixture
{
    public const string Anonymous = "127.0.0.1:5000";
    public const string Authenticated = "127.0.0.1:5001";
    public static readonly RegistryCredential Credential = new("buildx", "buildx-test-pass");

    public static string NewRepository(string registry) => $"{registry}/buildx-test/index-{Guid.NewGuid():N}";

    /// <summary>
    /// Builds a one-file image on the docker driver and pushes it with <c>-Push</c> (the engine stores
    /// it, then pushes through the Engine API); returns the manifest digest the registry now holds.
    /// </summary>
    public static async Task<string> BuildAndPushAsync(string tag, string content, RegistryCredential? credential = null)
    {
        using var directory = new TempDirectory();
        directory.Write("ctx/Dockerfile", "FROM scratch\nCOPY content.txt /\n");
        directory.Write("ctx/content.txt", content);
        var environment = new FixedEnvironment(new Dictionary<string, string> { ["DOCKER_HOST"] = EngineFixture.Context.Host.Original }, directory.Path);
        var runner = new BuildRunner(new DriverFactory(new DockerContextResolver(environment)), Path.Combine(directory.Path, "buildx")) { Environment = environment };
        var image = ImageReference.Parse(tag);
        var result = await runner.RunAsync(
            new BuilderDefinition { Name = "default", Driver = DockerDriver.DriverName, Nodes = [new NodeDefinition { Name = "default", Endpoint = "default" }] },
            new BuildRequest
            {
                ContextPath = Path.Combine(directory.Path, "ctx"),
                Tags = [tag],
                Push = true,
                RegistryCredentials = credential is null ? new Dictionary<string, RegistryCredential>() : new Dictionary<string, RegistryCredential> { [image.Domain] = credential },
            },
            _ => { },
            rawStatus: false,
            CancellationToken.None);
        Assert.Contains(result.Exports, e => e.Pushed.Contains(tag));
        using var registry = new RegistryClient((_, _) => ValueTask.FromResult(credential));
        return (await registry.GetManifestAsync(image, CancellationToken.None)).Digest;
    }

    /// <summary>A plain HTTP client for checking results through the registry's own API.</summary>
    public static HttpClient RegistryHttp(RegistryCredential? credential = null)
    {
        var http = new HttpClient();
        if (credential is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Secret}")));
        }

        return http;
    }
}
