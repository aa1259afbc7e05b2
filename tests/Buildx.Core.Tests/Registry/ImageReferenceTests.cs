using Buildx.Core.Errors;
using Buildx.Core.Registry;

namespace Buildx.Core.Tests.Registry;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("alpine", "docker.io", "library/alpine", null, "docker.io/library/alpine")]
    [InlineData("alpine:3.20", "docker.io", "library/alpine", "3.20", "docker.io/library/alpine:3.20")]
    [InlineData("team/app", "docker.io", "team/app", null, "docker.io/team/app")]
    [InlineData("index.docker.io/app", "docker.io", "library/app", null, "docker.io/library/app")]
    [InlineData("localhost/app:1", "localhost", "app", "1", "localhost/app:1")]
    [InlineData("127.0.0.1:5000/a/b/c:v1.2-rc_1", "127.0.0.1:5000", "a/b/c", "v1.2-rc_1", "127.0.0.1:5000/a/b/c:v1.2-rc_1")]
    [InlineData("ghcr.io/org/tool", "ghcr.io", "org/tool", null, "ghcr.io/org/tool")]
    [InlineData("MyRegistry.example:443/app", "MyRegistry.example:443", "app", null, "MyRegistry.example:443/app")]
    public void Normalizes_as_docker_does(string text, string domain, string path, string? tag, string formatted)
    {
        var reference = ImageReference.Parse(text);

        Assert.Equal(domain, reference.Domain);
        Assert.Equal(path, reference.Path);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(formatted, reference.ToString());
    }

    [Fact]
    public void Keeps_a_digest_and_uses_it_for_the_manifest_url()
    {
        var digest = "sha256:" + new string('a', 64);
        var reference = ImageReference.Parse($"localhost:5000/app:1@{digest}");

        Assert.Equal(digest, reference.Digest);
        Assert.Equal(digest, reference.ManifestReference);
        Assert.Equal("1", reference.Tag);
    }

    [Fact]
    public void Docker_Hub_is_reached_on_its_API_host() =>
        Assert.Equal("registry-1.docker.io", ImageReference.Parse("busybox").ApiHost);

    [Theory]
    [InlineData("")]
    [InlineData("Upper/case")]
    [InlineData("app:")]
    [InlineData("app@sha256:short")]
    [InlineData("a//b")]
    [InlineData("app:tag with space")]
    public void Refuses_what_docker_refuses(string text)
    {
        var error = Assert.Throws<BuildxException>(() => ImageReference.Parse(text));

        Assert.Equal(ErrorIds.InvalidImageReference, error.ErrorId);
        Assert.Contains("repository", error.Message, StringComparison.Ordinal);
    }
}
