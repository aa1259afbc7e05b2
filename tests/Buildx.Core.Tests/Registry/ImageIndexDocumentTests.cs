using System.Text;
using System.Text.Json;
using Buildx.Core.Errors;
using Buildx.Core.Registry;
using Buildx.Core.Store;

namespace Buildx.Core.Tests.Registry;

public sealed class ImageIndexDocumentTests
{
    private static readonly PlatformManifestDescriptor Amd64 = new(
        new OciPlatform { OS = "linux", Architecture = "amd64" }, ManifestMediaTypes.DockerManifest, "sha256:" + new string('1', 64), 528);

    private static readonly PlatformManifestDescriptor ArmV7 = new(
        new OciPlatform { OS = "linux", Architecture = "arm", Variant = "v7" }, ManifestMediaTypes.OciManifest, "sha256:" + new string('2', 64), 1_000);

    [Fact]
    public void Writes_an_OCI_index_with_one_entry_per_platform()
    {
        var (mediaType, content) = ImageIndexDocument.Create([Amd64, ArmV7], ociMediaTypes: true, new Dictionary<string, string> { ["org.opencontainers.image.title"] = "t" });

        Assert.Equal(ManifestMediaTypes.OciIndex, mediaType);
        Assert.Equal(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"sha256:" + new string('1', 64) + "\",\"size\":528,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
            + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + new string('2', 64) + "\",\"size\":1000,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}}],"
            + "\"annotations\":{\"org.opencontainers.image.title\":\"t\"}}",
            Encoding.UTF8.GetString(content));
    }

    [Fact]
    public void Writes_a_Docker_manifest_list_when_OCI_media_types_are_off()
    {
        var (mediaType, content) = ImageIndexDocument.Create([Amd64], ociMediaTypes: false);

        Assert.Equal(ManifestMediaTypes.DockerManifestList, mediaType);
        using var document = JsonDocument.Parse(content);
        Assert.Equal(ManifestMediaTypes.DockerManifestList, document.RootElement.GetProperty("mediaType").GetString());
    }

    [Fact]
    public void Refuses_index_annotations_on_a_Docker_manifest_list()
    {
        var error = Assert.Throws<BuildxException>(() => ImageIndexDocument.Create([Amd64], ociMediaTypes: false, new Dictionary<string, string> { ["a"] = "b" }));

        Assert.Equal(ErrorIds.InvalidOutput, error.ErrorId);
        Assert.Contains("oci-mediatypes=true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_back_the_entries_it_wrote()
    {
        var (_, content) = ImageIndexDocument.Create([Amd64, ArmV7], ociMediaTypes: true);

        var entries = ImageIndexDocument.ReadEntries(content);

        Assert.Equal(["linux/amd64", "linux/arm/v7"], entries.Select(e => PlatformSpecifier.Format(e.Platform)));
        Assert.Equal([Amd64.Digest, ArmV7.Digest], entries.Select(e => e.Digest));
        Assert.Equal([528L, 1000L], entries.Select(e => e.Size));
    }

    [Fact]
    public void Lists_a_manifests_config_and_layers()
    {
        var manifest = Encoding.UTF8.GetBytes("{\"config\":{\"digest\":\"sha256:c\"},\"layers\":[{\"digest\":\"sha256:l1\"},{\"digest\":\"sha256:l2\"},{\"digest\":\"sha256:l1\"}]}");

        Assert.Equal(["sha256:c", "sha256:l1", "sha256:l2"], ImageIndexDocument.ReadBlobDigests(manifest));
    }
}
