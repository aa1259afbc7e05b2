using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
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
/// API's push. Everything goes to repositories named per test.
/// </summary>
public static class RegistryFixture
{
    public const string Anonymous = "127.0.0.1:5000";
    public const string Authenticated = "127.0.0.1:5001";
    public static readonly RegistryCredential Credential = new("buildx", "buildx-test-pass");

    public static string NewRepository(string registry) => $"{registry}/buildx-test/index-{Guid.NewGuid():N}";

    /// <summary>Builds a one-file image tagged <paramref name="tag"/> in the engine and pushes it; returns the manifest digest.</summary>
    public static async Task<string> BuildAndPushAsync(string tag, string content, RegistryCredential? credential = null)
    {
        using var directory = new TempDirectory();
        directory.Write("ctx/Dockerfile", "FROM scratch\nCOPY content.txt /\n");
        directory.Write("ctx/content.txt", content);
        var runner = new BuildRunner(
            new DriverFactory(new DockerContextResolver(new FixedEnvironment(
                new Dictionary<string, string> { ["DOCKER_HOST"] = EngineFixture.Context.Host.Original }, directory.Path))),
            Path.Combine(directory.Path, "buildx"));
        await runner.RunAsync(
            new BuilderDefinition { Name = "default", Driver = DockerDriver.DriverName, Nodes = [new NodeDefinition { Name = "default", Endpoint = "default" }] },
            new BuildRequest { ContextPath = Path.Combine(directory.Path, "ctx"), Tags = [tag] },
            _ => { },
            rawStatus: false,
            CancellationToken.None);
        return await PushAsync(tag, credential);
    }

    /// <summary><c>POST /images/{name}/push</c>; the engine reports the pushed digest in an <c>aux</c> line.</summary>
    private static async Task<string> PushAsync(string reference, RegistryCredential? credential)
    {
        var colon = reference.LastIndexOf(':');
        var (name, tag) = (reference[..colon], reference[(colon + 1)..]);
        using var http = EngineHttp();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://engine/v1.41/images/{name}/push?tag={Uri.EscapeDataString(tag)}");
        var auth = credential is null ? "{}" : JsonSerializer.Serialize(new { username = credential.Username, password = credential.Secret, serveraddress = name.Split('/')[0] });
        request.Headers.Add("X-Registry-Auth", Convert.ToBase64String(Encoding.UTF8.GetBytes(auth)).Replace('+', '-').Replace('/', '_'));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var message = JsonDocument.Parse(line);
            if (message.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"The engine could not push {reference}: {error.GetString()}");
            }

            if (message.RootElement.TryGetProperty("aux", out var aux) && aux.TryGetProperty("Digest", out var digest))
            {
                return digest.GetString()!;
            }
        }

        throw new InvalidOperationException($"The engine's push of {reference} reported no digest: {body}");
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

    private static HttpClient EngineHttp() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, token) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(EngineFixture.Context.Host.Address), token);
            return new NetworkStream(socket, ownsSocket: true);
        },
    });
}
