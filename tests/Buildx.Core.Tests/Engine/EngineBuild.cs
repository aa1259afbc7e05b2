using System.Formats.Tar;
using System.Net.Sockets;
using System.Text;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// Puts records into the engine's BuildKit cache through the Engine API's own BuildKit build
/// (<c>POST /build?version=2</c>), so cache tests have something real to find.
/// </summary>
public static class EngineBuild
{
    public static async Task<string> BuildAsync(string dockerfile, CancellationToken cancellationToken)
    {
        using var context = new MemoryStream();
        await using (var tar = new TarWriter(context, TarEntryFormat.Ustar, leaveOpen: true))
        {
            var entry = new UstarTarEntry(TarEntryType.RegularFile, "Dockerfile") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(dockerfile)) };
            await tar.WriteEntryAsync(entry, cancellationToken);
        }

        context.Position = 0;
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
        using var content = new StreamContent(context);
        content.Headers.ContentType = new("application/x-tar");
        using var response = await http.PostAsync("http://engine/v1.41/build?version=2&rm=1", content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode || body.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The engine build failed: {body}");
        }

        return body;
    }
}
