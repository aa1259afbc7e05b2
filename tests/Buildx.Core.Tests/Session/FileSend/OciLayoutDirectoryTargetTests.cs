using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Buildx.Core.Session.FileSend;
using static Buildx.Core.Tests.Session.FileSend.FileSendHarness;

namespace Buildx.Core.Tests.Session.FileSend;

public sealed class OciLayoutDirectoryTargetTests
{
    private static readonly byte[] Blob = Encoding.UTF8.GetBytes("a layer");
    private static readonly string BlobHex = Convert.ToHexString(SHA256.HashData(Blob)).ToLowerInvariant();
    private static readonly string Index = $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:{BlobHex}\",\"size\":{Blob.Length}}}]}}";

    [Fact]
    public async Task Unpacks_the_tarball_the_daemon_sends_into_a_layout_directory()
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "layout");
        var service = new FileSendService([new OciLayoutDirectoryTarget(destination)]);
        using var call = new FakeDaemonCall();

        Assert.Null(await RunBytesAsync(service, call, Split(Tarball(("blobs/sha256/" + BlobHex, Blob)))));

        Assert.Equal(Index, System.IO.File.ReadAllText(Path.Combine(destination, "index.json")));
        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", System.IO.File.ReadAllText(Path.Combine(destination, "oci-layout")));
        Assert.Equal(Blob, System.IO.File.ReadAllBytes(Path.Combine(destination, "blobs", "sha256", BlobHex)));
        Assert.Equal(destination, Assert.Single(service.Transfers).WrittenPath);
        Assert.Equal(["layout"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Refuses_an_entry_outside_the_layout_and_leaves_no_directory()
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "layout");
        var service = new FileSendService([new OciLayoutDirectoryTarget(destination)]);
        using var call = new FakeDaemonCall();

        var error = await RunBytesAsync(service, call, Split(Tarball(("../../etc/cron.d/evil", Blob))));

        Assert.NotNull(error);
        Assert.Contains("not part of an OCI layout", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(destination));
    }

    [Fact]
    public async Task Keeps_a_directory_of_other_files_and_says_so()
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "mine");
        temp.Write("mine/notes.txt", "keep me");
        var service = new FileSendService([new OciLayoutDirectoryTarget(destination)]);
        using var call = new FakeDaemonCall();

        var error = await RunBytesAsync(service, call, Split(Tarball(("blobs/sha256/" + BlobHex, Blob))));

        Assert.NotNull(error);
        Assert.Contains("holds other files", error.Message, StringComparison.Ordinal);
        Assert.Equal("keep me", System.IO.File.ReadAllText(Path.Combine(destination, "notes.txt")));
    }

    private static byte[] Tarball((string Name, byte[] Content) blob)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "oci-layout") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}")) });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "index.json") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(Index)) });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, blob.Name) { DataStream = new MemoryStream(blob.Content) });
        }

        return buffer.ToArray();
    }

    private static byte[][] Split(byte[] bytes) => bytes.Chunk(1000).ToArray();
}
