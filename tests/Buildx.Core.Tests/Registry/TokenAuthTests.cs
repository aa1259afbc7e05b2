using System.Net;
using System.Net.Sockets;
using System.Text;
using Buildx.Core.Errors;
using Buildx.Core.Registry;

namespace Buildx.Core.Tests.Registry;

/// <summary>
/// The distribution token flow (a registry that answers with a Bearer challenge and a token
/// server) against a small HTTP double: the registries on this machine only speak Basic.
/// </summary>
public sealed class TokenAuthTests : IDisposable
{
    private const string Manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}";
    private readonly HttpListener listener = new();
    private readonly List<string> tokenRequests = [];
    private readonly int port;

    public TokenAuthTests()
    {
        port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = ServeAsync();
    }

    public void Dispose() => listener.Close();

    [Fact]
    public async Task Fetches_a_token_with_basic_credentials_for_the_scope_and_uses_it()
    {
        using var registry = new RegistryClient((_, _) => ValueTask.FromResult<RegistryCredential?>(new RegistryCredential("alice", "s3cret")));

        var manifest = await registry.GetManifestAsync(ImageReference.Parse($"127.0.0.1:{port}/team/app:1"), CancellationToken.None);

        Assert.Equal(Manifest, Encoding.UTF8.GetString(manifest.Content));
        var token = Assert.Single(tokenRequests);
        Assert.Contains("GET service=test-registry&scope=repository%3Ateam%2Fapp%3Apull", token, StringComparison.Ordinal);
        Assert.Contains("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret")), token, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trades_an_identity_token_for_an_access_token()
    {
        using var registry = new RegistryClient((_, _) => ValueTask.FromResult<RegistryCredential?>(new RegistryCredential(string.Empty, "refresh-me")));

        await registry.GetManifestAsync(ImageReference.Parse($"127.0.0.1:{port}/team/app:1"), CancellationToken.None);

        var token = Assert.Single(tokenRequests);
        Assert.StartsWith("POST ", token, StringComparison.Ordinal);
        Assert.Contains("grant_type=refresh_token", token, StringComparison.Ordinal);
        Assert.Contains("refresh_token=refresh-me", token, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_token_is_RegistryUnauthorized_naming_the_registry()
    {
        using var registry = new RegistryClient((_, _) => ValueTask.FromResult<RegistryCredential?>(new RegistryCredential("mallory", "wrong")));

        var error = await Assert.ThrowsAsync<BuildxException>(() => registry.GetManifestAsync(ImageReference.Parse($"127.0.0.1:{port}/team/app:1"), CancellationToken.None));

        Assert.Equal(ErrorIds.RegistryUnauthorized, error.ErrorId);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", error.Message, StringComparison.Ordinal);
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var request = context.Request;
            var response = context.Response;
            var authorization = request.Headers["Authorization"] ?? string.Empty;
            if (request.Url!.AbsolutePath == "/token")
            {
                var body = new StreamReader(request.InputStream).ReadToEnd();
                lock (tokenRequests)
                {
                    tokenRequests.Add($"{request.HttpMethod} {request.Url.Query.TrimStart('?')}{body} {authorization}");
                }

                var good = authorization == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret")) || body.Contains("refresh_token=refresh-me", StringComparison.Ordinal);
                response.StatusCode = good ? 200 : 401;
                await Write(response, good ? "{\"access_token\":\"granted\"}" : "{}");
            }
            else if (authorization == "Bearer granted")
            {
                response.ContentType = "application/vnd.oci.image.manifest.v1+json";
                await Write(response, Manifest);
            }
            else
            {
                response.StatusCode = 401;
                response.AddHeader("WWW-Authenticate", $"Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"test-registry\",scope=\"repository:team/app:pull\"");
                await Write(response, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
            }
        }
    }

    private static async Task Write(HttpListenerResponse response, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
