using Buildx.Core.Docker;

namespace Buildx.Core.Tests.Docker;

/// <summary>How a pull splits an image reference into the Engine API's fromImage and tag.</summary>
public class ContainerImageReferenceTests
{
    [Theory]
    [InlineData("moby/buildkit:buildx-stable-1", "moby/buildkit", "buildx-stable-1")]
    [InlineData("moby/buildkit", "moby/buildkit", "latest")]
    [InlineData("localhost:5000/buildkit", "localhost:5000/buildkit", "latest")]
    [InlineData("localhost:5000/buildkit:v1", "localhost:5000/buildkit", "v1")]
    [InlineData("moby/buildkit@sha256:abcd", "moby/buildkit", "sha256:abcd")]
    [InlineData("busybox", "busybox", "latest")]
    public void Splits_like_the_docker_client(string reference, string name, string tag)
    {
        Assert.Equal((name, tag), DockerImages.SplitReference(reference));
    }
}
