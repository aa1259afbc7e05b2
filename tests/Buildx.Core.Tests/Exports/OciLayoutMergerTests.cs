using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Buildx.Core.Errors;
using Buildx.Core.Exports;
using Buildx.Core.Registry;

namespace Buildx.Core.Tests.Exports;

public sealed class OciLayoutMergerTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Joins_node_tarballs_into_one_layout_with_an_index_of_every_platform()
    {
        var amd = NodeTarball("amd", [("amd64", "")], nested: false);
        var arm = NodeTarball("arm", [("arm64", ""), ("arm", "v7")], nested: true);
        var output = Path.Combine(directory.Path, "image.tar");

        await OciLayoutMerger.MergeAsync(
            [new OciLayoutPart(amd.Path, ["linux/amd64"]), new OciLayoutPart(arm.Path, ["linux/arm64", "linux/arm/v7"])],
            "registry.example/app:1.0",
            OciLayoutDestination.Tarball(output),
            CancellationToken.None);

        var files = ReadTar(output);
        Assert.Equal(["oci-layout", "index.json"], files.Keys.Take(2));
        Assert.DoesNotContain("manifest.json", files.Keys);
        var top = JsonDocument.Parse(files["index.json"]).RootElement.GetProperty("manifests").EnumerateArray().Single();
        Assert.Equal(ManifestMediaTypes.OciIndex, top.GetProperty("mediaType").GetString());
        Assert.Equal("registry.example/app:1.0", top.GetProperty("annotations").GetProperty("io.containerd.image.name").GetString());
        Assert.Equal("1.0", top.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString());
        var indexDigest = top.GetProperty("digest").GetString()!;
        var index = files["blobs/sha256/" + indexDigest[7..]];
        Assert.Equal(top.GetProperty("size").GetInt64(), index.Length);

        var entries = ImageIndexDocument.ReadEntries(index);
        Assert.Equal(["linux/amd64", "linux/arm64", "linux/arm/v7"], entries.Select(e => Buildx.Core.Store.PlatformSpecifier.Format(e.Platform)));
        Assert.Equal(amd.Manifests.Concat(arm.Manifests), entries.Select(e => e.Digest));

        // Every blob is there, once, under its own digest.
        foreach (var (name, content) in files.Where(f => f.Key.StartsWith("blobs/", StringComparison.Ordinal)))
        {
            Assert.Equal(name["blobs/sha256/".Length..], Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant());
        }

        Assert.Contains("blobs/sha256/" + Hex(SharedLayer), files.Keys);
    }

    [Fact]
    public async Task Writes_a_directory_for_tar_false_and_a_stream_for_dest_dash()
    {
        var amd = NodeTarball("amd", [("amd64", "")], nested: false);
        var arm = NodeTarball("arm", [("arm64", "")], nested: false);
        var parts = new[] { new OciLayoutPart(amd.Path, ["linux/amd64"]), new OciLayoutPart(arm.Path, ["linux/arm64"]) };
        var layout = Path.Combine(directory.Path, "layout");
        using var stream = new MemoryStream();

        await OciLayoutMerger.MergeAsync(parts, null, OciLayoutDestination.Directory(layout), CancellationToken.None);
        await OciLayoutMerger.MergeAsync(parts, null, OciLayoutDestination.Stream(stream), CancellationToken.None);

        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", File.ReadAllText(Path.Combine(layout, "oci-layout")));
        Assert.Equal(["blobs", "index.json", "oci-layout"], Directory.EnumerateFileSystemEntries(layout).Select(Path.GetFileName).Order());
        var fromDirectory = File.ReadAllBytes(Path.Combine(layout, "index.json"));
        stream.Position = 0;
        var fromStream = ReadTar(stream);
        Assert.Equal(fromDirectory, fromStream["index.json"]);
        Assert.Equal(
            Directory.GetFiles(Path.Combine(layout, "blobs", "sha256")).Select(Path.GetFileName).Order(),
            fromStream.Keys.Where(k => k.StartsWith("blobs/", StringComparison.Ordinal)).Select(k => k["blobs/sha256/".Length..]).Order());
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("blobs/sha256/../../etc/passwd")]
    [InlineData("blobs/sha256/notahexdigest")]
    public async Task Refuses_entries_outside_the_layout_and_writes_nothing(string name)
    {
        var evil = Path.Combine(directory.Path, "evil.tar");
        using (var file = File.Create(evil))
        using (var tar = new TarWriter(file))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream([1, 2, 3]) });
        }

        var output = Path.Combine(directory.Path, "out.tar");
        var error = await Assert.ThrowsAsync<BuildxException>(() => OciLayoutMerger.MergeAsync([new OciLayoutPart(evil, ["linux/amd64"])], null, OciLayoutDestination.Tarball(output), CancellationToken.None));

        Assert.Equal(ErrorIds.ExportFailed, error.ErrorId);
        Assert.Contains("not part of an OCI layout", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(directory.Path, "out.tar*"));
    }

    [Fact]
    public async Task Refuses_a_blob_that_does_not_match_its_digest()
    {
        var forged = Path.Combine(directory.Path, "forged.tar");
        using (var file = File.Create(forged))
        using (var tar = new TarWriter(file))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "blobs/sha256/" + new string('a', 64)) { DataStream = new MemoryStream([1, 2, 3]) });
        }

        var error = await Assert.ThrowsAsync<BuildxException>(() => OciLayoutMerger.MergeAsync([new OciLayoutPart(forged, ["linux/amd64"])], null, OciLayoutDestination.Directory(Path.Combine(directory.Path, "l")), CancellationToken.None));

        Assert.Contains("does not match its digest", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "l")));
    }

    private static readonly byte[] SharedLayer = Encoding.UTF8.GetBytes("a base layer both nodes share");

    /// <summary>An OCI tarball as one node's oci exporter writes it: a manifest per platform, directly or under a nested index.</summary>
    private (string Path, List<string> Manifests) NodeTarball(string name, (string Arch, string Variant)[] platforms, bool nested)
    {
        var blobs = new Dictionary<string, byte[]>();
        var manifests = new List<(string Digest, int Size, string Arch, string Variant)>();
        blobs[Hex(SharedLayer)] = SharedLayer;
        foreach (var (arch, variant) in platforms)
        {
            var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"{arch}\",\"os\":\"linux\",\"variant\":\"{variant}\"}}");
            var layer = Encoding.UTF8.GetBytes($"layer of {name} {arch}{variant}");
            blobs[Hex(config)] = config;
            blobs[Hex(layer)] = layer;
            var manifest = Encoding.UTF8.GetBytes(
                $"{{\"schemaVersion\":2,\"mediaType\":\"{ManifestMediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:{Hex(config)}\",\"size\":{config.Length}}},"
                + $"\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:{Hex(SharedLayer)}\",\"size\":{SharedLayer.Length}}},{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:{Hex(layer)}\",\"size\":{layer.Length}}}]}}");
            blobs[Hex(manifest)] = manifest;
            manifests.Add(("sha256:" + Hex(manifest), manifest.Length, arch, variant));
        }

        string Descriptor((string Digest, int Size, string Arch, string Variant) m, bool withPlatform) =>
            $"{{\"mediaType\":\"{ManifestMediaTypes.OciManifest}\",\"digest\":\"{m.Digest}\",\"size\":{m.Size}"
            + (withPlatform ? $",\"platform\":{{\"architecture\":\"{m.Arch}\",\"os\":\"linux\"{(m.Variant.Length > 0 ? $",\"variant\":\"{m.Variant}\"" : string.Empty)}}}" : string.Empty) + "}";

        string indexJson;
        if (nested)
        {
            var inner = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{ManifestMediaTypes.OciIndex}\",\"manifests\":[{string.Join(",", manifests.Select(m => Descriptor(m, true)))}]}}");
            blobs[Hex(inner)] = inner;
            indexJson = $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"{ManifestMediaTypes.OciIndex}\",\"digest\":\"sha256:{Hex(inner)}\",\"size\":{inner.Length}}}]}}";
        }
        else
        {
            indexJson = $"{{\"schemaVersion\":2,\"manifests\":[{string.Join(",", manifests.Select(m => Descriptor(m, false)))}]}}";
        }

        var path = Path.Combine(directory.Path, name + ".tar");
        using var file = File.Create(path);
        using var tar = new TarWriter(file);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "oci-layout") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}")) });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "index.json") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(indexJson)) });
        // BuildKit's oci exporter adds the docker-archive view too; a layout has no place for it.
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes($"[{{\"Config\":\"blobs/sha256/{Hex(SharedLayer)}\"}}]")) });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "blobs/"));
        foreach (var (hex, content) in blobs)
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "blobs/sha256/" + hex) { DataStream = new MemoryStream(content) });
        }

        return (path, manifests.Select(m => m.Digest).ToList());
    }

    private static string Hex(byte[] content) => Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    private static Dictionary<string, byte[]> ReadTar(string path)
    {
        using var file = File.OpenRead(path);
        return ReadTar(file);
    }

    private static Dictionary<string, byte[]> ReadTar(Stream stream)
    {
        var files = new Dictionary<string, byte[]>();
        using var reader = new TarReader(stream, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
        {
            using var buffer = new MemoryStream();
            entry.DataStream?.CopyTo(buffer);
            files[entry.Name] = buffer.ToArray();
        }

        return files;
    }
}
