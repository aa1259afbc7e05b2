using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Buildx.Core.BuildKit.Protocol.Content;
using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;
using Buildx.Core.Session.Content;
using Buildx.Core.Tests.Session.Options;
using Buildx.Core.Tests.Session.Support;
using Google.Protobuf;
using Grpc.Core;

namespace Buildx.Core.Tests.Builds.Options;

/// <summary>
/// A type=local cache export from the client's side: the dest served as a writable store, blobs
/// written through the session's content service as BuildKit writes them, then index.json updated
/// from the solve's cache.manifest, or dest put back as it was when the solve fails.
/// </summary>
public sealed class LocalCacheExportsTests : IDisposable
{
    private const string CacheConfigType = "application/vnd.buildkit.cacheconfig.v0";
    private const string IndexType = "application/vnd.oci.image.index.v1+json";

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private string Dest => Path.Combine(directory.Path, "cache");

    [Fact]
    public async Task An_export_writes_the_blobs_and_tags_the_manifest_latest_and_an_import_finds_it()
    {
        var exports = Prepare($"type=local,dest={Dest},mode=max");
        var service = new LocalContentStoreService(exports.Stores);
        await using var harness = await GrpcTestHarness.StartAsync(registry => { service.Register(registry); exports.BeginSolve(); });
        var client = new Content.ContentClient(harness.Channel);

        var config = await WriteBlobAsync(client, "local:" + Dest, """{"layers":[],"records":[]}""");
        var manifest = await WriteBlobAsync(client, "local:" + Dest, $$"""{"schemaVersion":2,"mediaType":"{{IndexType}}","manifests":[{"mediaType":"{{CacheConfigType}}","digest":"{{config.Digest}}","size":{{config.Size}}}]}""");
        var written = exports.Complete(Response(manifest), _ => Assert.Fail("no warning expected"));

        Assert.Equal([Dest], written);
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dest, "index.json")));
        Assert.Equal(2, index.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(IndexType, index.RootElement.GetProperty("mediaType").GetString());
        var entry = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal((IndexType, manifest.Digest, manifest.Size, "latest"), (
            entry.GetProperty("mediaType").GetString(),
            entry.GetProperty("digest").GetString(),
            entry.GetProperty("size").GetInt64(),
            entry.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString()));
        Assert.Equal("""{"imageLayoutVersion":"1.0.0"}""", File.ReadAllText(Path.Combine(Dest, "oci-layout")));
        Assert.False(Directory.Exists(Path.Combine(Dest, "ingest")));
        Assert.Equal(
            new[] { config.Digest, manifest.Digest }.Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(Dest, "blobs", "sha256")).Select(f => "sha256:" + Path.GetFileName(f)).Order(StringComparer.Ordinal));

        // The next build imports it: the client resolves the manifest from index.json as BuildKit's does.
        var (prepared, stores) = LocalCacheImports.Prepare(new BuildOptions { CacheFrom = [CacheSpecParser.ParseCsv($"type=local,src={Dest}", export: false)] }, _ => Assert.Fail("no warning expected"));
        Assert.Equal(manifest.Digest, Assert.Single(prepared.CacheFrom).Attributes["digest"]);
        Assert.Equal(Dest, stores["local:" + Dest]);
    }

    [Fact]
    public async Task A_tag_replaces_only_the_entry_with_that_tag()
    {
        var previous = $$$"""{"schemaVersion":2,"mediaType":"{{{IndexType}}}","manifests":[{"mediaType":"{{{IndexType}}}","digest":"sha256:{{{new string('1', 64)}}}","size":10,"annotations":{"org.opencontainers.image.ref.name":"latest"}},{"mediaType":"{{{IndexType}}}","digest":"sha256:{{{new string('2', 64)}}}","size":20,"annotations":{"org.opencontainers.image.ref.name":"nightly"}}]}""";
        directory.Write("cache/index.json", previous);
        var exports = Prepare($"type=local,dest={Dest},tag=nightly");
        var service = new LocalContentStoreService(exports.Stores);
        await using var harness = await GrpcTestHarness.StartAsync(registry => { service.Register(registry); exports.BeginSolve(); });

        var manifest = await WriteBlobAsync(new Content.ContentClient(harness.Channel), "local:" + Dest, """{"schemaVersion":2,"manifests":[]}""");
        exports.Complete(Response(manifest), _ => Assert.Fail("no warning expected"));

        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dest, "index.json")));
        var entries = index.RootElement.GetProperty("manifests").EnumerateArray()
            .Select(m => (m.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString(), m.GetProperty("digest").GetString()))
            .ToArray();
        Assert.Equal([("latest", "sha256:" + new string('1', 64)), ("nightly", manifest.Digest)], entries);
    }

    [Fact]
    public async Task Reset_keeps_only_the_blobs_that_index_json_reaches()
    {
        // Before: "nightly" -> an OCI index -> a layer; "latest" -> an old cache manifest -> an old config.
        var layer = WriteFile("nightly layer");
        var nightly = WriteFile($$$"""{"schemaVersion":2,"mediaType":"{{{IndexType}}}","manifests":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{{layer.Digest}}}","size":{{{layer.Size}}}}]}""");
        var oldConfig = WriteFile("old config");
        var oldManifest = WriteFile($$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"{{{CacheConfigType}}}","digest":"{{{oldConfig.Digest}}}","size":{{{oldConfig.Size}}}},"layers":[]}""");
        directory.Write("cache/index.json", $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"{{{IndexType}}}","digest":"{{{nightly.Digest}}}","size":{{{nightly.Size}}},"annotations":{"org.opencontainers.image.ref.name":"nightly"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{oldManifest.Digest}}}","size":{{{oldManifest.Size}}},"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}""");
        var exports = Prepare($"type=local,dest={Dest},reset=true");
        var service = new LocalContentStoreService(exports.Stores);
        await using var harness = await GrpcTestHarness.StartAsync(registry => { service.Register(registry); exports.BeginSolve(); });
        var client = new Content.ContentClient(harness.Channel);
        var config = await WriteBlobAsync(client, "local:" + Dest, "new config");
        var manifest = await WriteBlobAsync(client, "local:" + Dest, $$$"""{"schemaVersion":2,"mediaType":"{{{IndexType}}}","manifests":[{"mediaType":"{{{CacheConfigType}}}","digest":"{{{config.Digest}}}","size":{{{config.Size}}}}]}""");

        exports.Complete(Response(manifest), _ => Assert.Fail("no warning expected"));

        // The old "latest" manifest and its config are gone; "nightly" and its layer stay.
        Assert.Equal(
            new[] { layer.Digest, nightly.Digest, config.Digest, manifest.Digest }.Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(Dest, "blobs", "sha256")).Select(f => "sha256:" + Path.GetFileName(f)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reset_deletes_nothing_when_a_referenced_manifest_is_missing()
    {
        var orphan = WriteFile("orphan");
        directory.Write("cache/index.json", $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"{{{IndexType}}}","digest":"sha256:{{{new string('4', 64)}}}","size":5,"annotations":{"org.opencontainers.image.ref.name":"old"}}]}""");
        var exports = Prepare($"type=local,dest={Dest},reset=1");
        var service = new LocalContentStoreService(exports.Stores);
        await using var harness = await GrpcTestHarness.StartAsync(registry => { service.Register(registry); exports.BeginSolve(); });
        var manifest = await WriteBlobAsync(new Content.ContentClient(harness.Channel), "local:" + Dest, """{"schemaVersion":2,"manifests":[]}""");
        var warnings = new List<string>();

        exports.Complete(Response(manifest), warnings.Add);

        Assert.Contains(warnings, w => w.StartsWith("reset=true: the unreferenced blobs", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(Dest, "blobs", "sha256", orphan.Digest[7..])));
        Assert.Equal(manifest.Digest, OciLayoutIndex.FindDigest(Path.Combine(Dest, "index.json"), "latest"));
    }

    [Fact]
    public async Task A_failed_solve_leaves_an_existing_dest_as_it_was()
    {
        var previousIndex = $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"{{{IndexType}}}","digest":"sha256:{{{new string('1', 64)}}}","size":10,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}""";
        directory.Write("cache/index.json", previousIndex);
        var kept = directory.Write($"cache/blobs/sha256/{new string('1', 64)}", "previous");
        var exports = Prepare($"type=local,dest={Dest}");
        var service = new LocalContentStoreService(exports.Stores);
        await using var harness = await GrpcTestHarness.StartAsync(registry => { service.Register(registry); exports.BeginSolve(); });
        var client = new Content.ContentClient(harness.Channel);
        var committed = await WriteBlobAsync(client, "local:" + Dest, "a layer of the failed build");
        using (var partial = client.Write(new Metadata { { "buildkit-attachable-store-id", "local:" + Dest } }))
        {
            await ContentStoreWriteTests.SendAsync(partial, new WriteContentRequest { Action = WriteAction.Stat, Ref = "half", Total = 100 });
            await ContentStoreWriteTests.SendAsync(partial, new WriteContentRequest { Action = WriteAction.Write, Data = ByteString.CopyFromUtf8("half of it") });
            await partial.RequestStream.CompleteAsync();
            Assert.False(await partial.ResponseStream.MoveNext());
        }

        exports.Abandon();

        Assert.Equal(previousIndex, File.ReadAllText(Path.Combine(Dest, "index.json")));
        Assert.Equal([kept], Directory.GetFiles(Dest, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("index.json", StringComparison.Ordinal)));
        Assert.False(File.Exists(Path.Combine(Dest, "blobs", "sha256", committed.Digest[7..])));
        Assert.False(Directory.Exists(Path.Combine(Dest, "ingest")));
        // Writes after the solve ended are refused.
        using var late = client.Write(new Metadata { { "buildkit-attachable-store-id", "local:" + Dest } });
        var refused = await Assert.ThrowsAsync<RpcException>(() => ContentStoreWriteTests.SendAsync(late, new WriteContentRequest { Action = WriteAction.Stat, Ref = "late" }));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
    }

    [Fact]
    public async Task A_solve_without_a_cache_manifest_removes_the_dest_it_created()
    {
        var dest = Path.Combine(Dest, "nested");
        var exports = Prepare($"type=local,dest={dest}");
        var service = new LocalContentStoreService(exports.Stores);
        await using var harness = await GrpcTestHarness.StartAsync(registry => { service.Register(registry); exports.BeginSolve(); });
        await WriteBlobAsync(new Content.ContentClient(harness.Channel), "local:" + dest, "an orphan");

        var written = exports.Complete(new Dictionary<string, string> { ["containerimage.digest"] = "sha256:" + new string('3', 64) }, _ => { });

        Assert.Empty(written);
        Assert.False(Directory.Exists(Dest));
    }

    [Fact]
    public void A_dest_that_is_a_file_or_holds_a_broken_index_is_refused_before_the_build()
    {
        var file = directory.Write("file", "x");
        directory.Write("broken/index.json", "not json");

        var isFile = Assert.Throws<BuildxException>(() => Prepare($"type=local,dest={file}"));
        var broken = Assert.Throws<BuildxException>(() => Prepare($"type=local,dest={Path.Combine(directory.Path, "broken")}"));

        Assert.Equal((ErrorIds.InvalidCacheOption, BuildxErrorKind.InvalidArgument), (isFile.ErrorId, isFile.Kind));
        Assert.Equal(ErrorIds.InvalidCacheOption, broken.ErrorId);
        Assert.Contains("is not an OCI index", broken.Message, StringComparison.Ordinal);
    }

    private (string Digest, long Size) WriteFile(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        directory.Write($"cache/blobs/sha256/{hex}", text);
        return ("sha256:" + hex, bytes.Length);
    }

    private static LocalCacheExports Prepare(string spec) =>
        LocalCacheExports.Prepare(new BuildOptions { CacheTo = [CacheSpecParser.ParseCsv(spec, export: true)] });

    private static Dictionary<string, string> Response((string Digest, long Size) manifest) => new()
    {
        [LocalCacheExports.ManifestResponseKey] = $$"""{"mediaType":"{{IndexType}}","digest":"{{manifest.Digest}}","size":{{manifest.Size}}}""",
    };

    /// <summary>content.WriteBlob through the proxy: STAT with ref, total and expected digest, WRITE, COMMIT.</summary>
    private static async Task<(string Digest, long Size)> WriteBlobAsync(Content.ContentClient client, string storeId, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        using var call = client.Write(new Metadata { { "buildkit-attachable-store-id", storeId } });
        await ContentStoreWriteTests.SendAsync(call, new WriteContentRequest { Action = WriteAction.Stat, Ref = digest, Total = bytes.Length, Expected = digest });
        await ContentStoreWriteTests.SendAsync(call, new WriteContentRequest { Action = WriteAction.Write, Data = ByteString.CopyFrom(bytes) });
        var commit = await ContentStoreWriteTests.SendAsync(call, new WriteContentRequest { Action = WriteAction.Commit, Offset = bytes.Length, Total = bytes.Length, Expected = digest });
        Assert.Equal(digest, commit.Digest);
        await call.RequestStream.CompleteAsync();
        return (digest, bytes.Length);
    }
}
