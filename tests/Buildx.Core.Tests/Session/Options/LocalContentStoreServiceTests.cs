using System.Security.Cryptography;
using System.Text;
using Buildx.Core.BuildKit.Protocol.Content;
using Buildx.Core.Session.Content;
using Buildx.Core.Tests.Session.Support;
using Grpc.Core;

namespace Buildx.Core.Tests.Session.Options;

/// <summary>The content store's read side over a real gRPC client, with the store-id metadata BuildKit sends.</summary>
public sealed class LocalContentStoreServiceTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Info_and_Read_serve_blobs_of_the_named_store_only()
    {
        var content = Encoding.ASCII.GetBytes(new string('x', 3_000_000) + "tail");
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
        Directory.CreateDirectory(Path.Combine(directory.Path, "blobs", "sha256"));
        File.WriteAllBytes(Path.Combine(directory.Path, "blobs", "sha256", digest[7..]), content);
        var service = new LocalContentStoreService(new Dictionary<string, string> { ["local:" + directory.Path] = directory.Path });
        await using var harness = await GrpcTestHarness.StartAsync(service.Register);
        var client = new BuildKit.Protocol.Content.Content.ContentClient(harness.Channel);
        var store = new Metadata { { "buildkit-attachable-store-id", "local:" + directory.Path } };

        var info = await client.InfoAsync(new InfoRequest { Digest = digest }, store);
        var whole = await ReadAllAsync(client, new ReadContentRequest { Digest = digest }, store);
        var slice = await ReadAllAsync(client, new ReadContentRequest { Digest = digest, Offset = 3_000_000, Size = 3 }, store);
        var otherStore = await Assert.ThrowsAsync<RpcException>(async () => await client.InfoAsync(new InfoRequest { Digest = digest }, new Metadata { { "buildkit-attachable-store-id", "local:/etc" } }));
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await client.InfoAsync(new InfoRequest { Digest = "sha256:" + new string('0', 64) }, store));
        var traversal = await Assert.ThrowsAsync<RpcException>(async () => await client.InfoAsync(new InfoRequest { Digest = "sha256:../../etc/passwd" }, store));

        Assert.Equal(content.Length, info.Info.Size);
        Assert.Equal(content, whole);
        Assert.Equal("tai"u8.ToArray(), slice);
        Assert.Equal(StatusCode.NotFound, otherStore.StatusCode);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, traversal.StatusCode);
        Assert.Equal([digest, digest], service.ReadDigests);
    }

    private static async Task<byte[]> ReadAllAsync(BuildKit.Protocol.Content.Content.ContentClient client, ReadContentRequest request, Metadata headers)
    {
        using var call = client.Read(request, headers);
        using var buffer = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(request.Offset + buffer.Length, chunk.Offset);
            chunk.Data.WriteTo(buffer);
        }

        return buffer.ToArray();
    }
}
