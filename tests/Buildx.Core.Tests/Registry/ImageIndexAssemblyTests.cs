using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Buildx.Core.Errors;
using Buildx.Core.Registry;
using Buildx.Core.Store;

namespace Buildx.Core.Tests.Registry;

/// <summary>
/// Index assembly against the real registry: per-platform images pushed through the engine, the
/// index written by the module, and everything checked through the registry's HTTP API.
/// </summary>
public sealed class ImageIndexAssemblyTests
{
    private static readonly OciPlatform Amd64 = new() { OS = "linux", Architecture = "amd64" };
    private static readonly OciPlatform Arm64 = new() { OS = "linux", Architecture = "arm64" };

    [Theory]
    [InlineData(true, ManifestMediaTypes.OciIndex)]
    [InlineData(false, ManifestMediaTypes.DockerManifestList)]
    public async Task Joins_two_platform_images_into_one_tagged_index(bool oci, string expectedMediaType)
    {
        var repository = RegistryFixture.NewRepository(RegistryFixture.Anonymous);
        var amd = await RegistryFixture.BuildAndPushAsync(repository + ":amd64", "amd64 " + Guid.NewGuid());
        var arm = await RegistryFixture.BuildAndPushAsync(repository + ":arm64", "arm64 " + Guid.NewGuid());
        using var registry = new RegistryClient();

        var result = await new ImageIndexAssembler(registry).AssembleAsync(
            [new PlatformImage(Amd64, ImageReference.Parse(repository + "@" + amd)), new PlatformImage(Arm64, ImageReference.Parse(repository + "@" + arm))],
            [ImageReference.Parse(repository + ":multi"), ImageReference.Parse(repository + ":1.0")],
            oci,
            annotations: null,
            CancellationToken.None);

        using var http = RegistryFixture.RegistryHttp();
        var path = ImageReference.Parse(repository).Path;
        foreach (var tag in new[] { "multi", "1.0" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{RegistryFixture.Anonymous}/v2/{path}/manifests/{tag}");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(expectedMediaType));
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expectedMediaType, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(result.Digest, response.Headers.GetValues("Docker-Content-Digest").Single());
            using var index = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(expectedMediaType, index.RootElement.GetProperty("mediaType").GetString());
            var entries = index.RootElement.GetProperty("manifests").EnumerateArray().ToList();
            Assert.Equal([amd, arm], entries.Select(e => e.GetProperty("digest").GetString()));
            Assert.Equal(["amd64", "arm64"], entries.Select(e => e.GetProperty("platform").GetProperty("architecture").GetString()));
            Assert.All(entries, e => Assert.Equal(ManifestMediaTypes.DockerManifest, e.GetProperty("mediaType").GetString()));
        }

        var tags = JsonDocument.Parse(await http.GetStringAsync($"http://{RegistryFixture.Anonymous}/v2/{path}/tags/list")).RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Order();
        Assert.Equal(["1.0", "amd64", "arm64", "multi"], tags);
        Assert.Equal(expectedMediaType, result.MediaType);
        Assert.Equal(["linux/amd64", "linux/arm64"], result.Manifests.Select(m => PlatformSpecifier.Format(m.Platform)));
    }

    [Fact]
    public async Task Copies_manifests_pushed_to_another_repository_before_tagging()
    {
        var staging = RegistryFixture.NewRepository(RegistryFixture.Anonymous);
        var release = RegistryFixture.NewRepository(RegistryFixture.Anonymous);
        var amd = await RegistryFixture.BuildAndPushAsync(staging + ":amd64", "staged " + Guid.NewGuid());
        using var registry = new RegistryClient();

        var result = await new ImageIndexAssembler(registry).AssembleAsync(
            [new PlatformImage(Amd64, ImageReference.Parse(staging + "@" + amd))],
            [ImageReference.Parse(release + ":v1")],
            ociMediaTypes: true,
            annotations: null,
            CancellationToken.None);

        // The registry accepted the index, and the platform manifest and its blobs now live in the release repository.
        var copied = await registry.GetManifestAsync(ImageReference.Parse(release + "@" + amd), CancellationToken.None);
        foreach (var blob in ImageIndexDocument.ReadBlobDigests(copied.Content))
        {
            Assert.True(await registry.BlobExistsAsync(ImageReference.Parse(release), blob, CancellationToken.None), blob);
        }

        var index = await registry.GetManifestAsync(ImageReference.Parse(release + ":v1"), CancellationToken.None);
        Assert.Equal(result.Digest, index.Digest);
    }

    [Fact]
    public async Task Uses_credentials_on_a_registry_that_asks_for_them()
    {
        var repository = RegistryFixture.NewRepository(RegistryFixture.Authenticated);
        var amd = await RegistryFixture.BuildAndPushAsync(repository + ":amd64", "auth " + Guid.NewGuid(), RegistryFixture.Credential);
        var images = new[] { new PlatformImage(Amd64, ImageReference.Parse(repository + "@" + amd)) };
        var tags = new[] { ImageReference.Parse(repository + ":multi") };

        using (var anonymous = new RegistryClient())
        {
            var refused = await Assert.ThrowsAsync<BuildxException>(() => new ImageIndexAssembler(anonymous).AssembleAsync(images, tags, true, null, CancellationToken.None));
            Assert.Equal(ErrorIds.RegistryUnauthorized, refused.ErrorId);
            Assert.Contains(RegistryFixture.Authenticated, refused.Message, StringComparison.Ordinal);
        }

        var asked = new List<string>();
        using var registry = new RegistryClient((host, _) =>
        {
            asked.Add(host);
            return ValueTask.FromResult<RegistryCredential?>(RegistryFixture.Credential);
        });
        var result = await new ImageIndexAssembler(registry).AssembleAsync(images, tags, true, null, CancellationToken.None);

        Assert.Contains(RegistryFixture.Authenticated, asked);
        using var http = RegistryFixture.RegistryHttp(RegistryFixture.Credential);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{RegistryFixture.Authenticated}/v2/{ImageReference.Parse(repository).Path}/manifests/multi");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ManifestMediaTypes.OciIndex));
        using var response = await http.SendAsync(request);
        Assert.Equal(result.Digest, response.Headers.GetValues("Docker-Content-Digest").Single());
    }

    [Fact]
    public async Task Refuses_two_images_for_one_platform_and_tags_nothing()
    {
        var repository = RegistryFixture.NewRepository(RegistryFixture.Anonymous);
        var first = await RegistryFixture.BuildAndPushAsync(repository + ":a", "a " + Guid.NewGuid());
        var second = await RegistryFixture.BuildAndPushAsync(repository + ":b", "b " + Guid.NewGuid());
        using var registry = new RegistryClient();

        var error = await Assert.ThrowsAsync<BuildxException>(() => new ImageIndexAssembler(registry).AssembleAsync(
            [new PlatformImage(Amd64, ImageReference.Parse(repository + "@" + first)), new PlatformImage(Amd64, ImageReference.Parse(repository + "@" + second))],
            [ImageReference.Parse(repository + ":multi")],
            true,
            null,
            CancellationToken.None));

        Assert.Equal(ErrorIds.DuplicatePlatform, error.ErrorId);
        var missing = await Assert.ThrowsAsync<BuildxException>(() => registry.GetManifestAsync(ImageReference.Parse(repository + ":multi"), CancellationToken.None));
        Assert.Equal(ErrorIds.RegistryObjectNotFound, missing.ErrorId);
    }

    [Fact]
    public async Task A_missing_platform_manifest_is_a_clear_not_found()
    {
        var repository = RegistryFixture.NewRepository(RegistryFixture.Anonymous);
        using var registry = new RegistryClient();

        var error = await Assert.ThrowsAsync<BuildxException>(() => new ImageIndexAssembler(registry).AssembleAsync(
            [new PlatformImage(Amd64, ImageReference.Parse(repository + "@sha256:" + new string('0', 64)))],
            [ImageReference.Parse(repository + ":multi")],
            true,
            null,
            CancellationToken.None));

        Assert.Equal(ErrorIds.RegistryObjectNotFound, error.ErrorId);
        Assert.Contains(repository, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_registry_is_a_connection_error()
    {
        using var registry = new RegistryClient();

        var error = await Assert.ThrowsAsync<BuildxException>(() => registry.GetManifestAsync(ImageReference.Parse("127.0.0.1:1/nothing:here"), CancellationToken.None));

        Assert.Equal(ErrorIds.RegistryUnreachable, error.ErrorId);
        Assert.Equal(BuildxErrorKind.ConnectionError, error.Kind);
    }
}
