using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Buildx.Core.Tests.Engine;

/// <summary>Raw Engine API and registry HTTP API calls the export tests check results with.</summary>
public static class EngineApi
{
    public const string AnonymousRegistry = "127.0.0.1:5000";
    public const string AuthRegistry = "127.0.0.1:5001";
    public const string AuthUser = "buildx";
    public const string AuthPassword = "buildx-test-pass";
    public const string BaseImage = "buildx-test/busybox:latest";

    public static async Task<(int Status, string Body)> SendAsync(HttpMethod method, string path, string? registryAuth = null)
    {
        var socketPath = EngineFixture.Context.Host.Address;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        using var request = new HttpRequestMessage(method, "http://engine/v1.41/" + path);
        if (registryAuth is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Registry-Auth", registryAuth);
        }

        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The manifest digest a registry serves for repo:tag, or null when it has none.</summary>
    public static async Task<string?> RegistryDigestAsync(string registry, string repository, string tag, bool authenticate = false)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{registry}/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        if (authenticate)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AuthUser}:{AuthPassword}")));
        }

        using var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode && response.Headers.TryGetValues("Docker-Content-Digest", out var digests) ? digests.First() : null;
    }

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
}
