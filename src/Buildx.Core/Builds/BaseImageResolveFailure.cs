using Buildx.Core.Errors;

namespace Buildx.Core.Builds;

/// <summary>
/// A base image the frontend could not resolve in its registry (the frontend reports it while
/// creating the LLB definition, but the Dockerfile is fine): unreachable registry, unknown image,
/// denied pull. With <c>-Pull</c> every base image is looked up in its registry.
/// </summary>
internal static class BaseImageResolveFailure
{
    private static readonly string[] Markers = ["failed to do request", "pull access denied", "failed to resolve source metadata", "failed to authorize"];

    public static BuildxException? TryTranslate(string detail, Exception inner)
    {
        if (!Markers.Any(marker => detail.Contains(marker, StringComparison.Ordinal)))
        {
            return null;
        }

        return new BuildxException(ErrorIds.ImagePullFailed, BuildxErrorKind.ResourceUnavailable,
            $"A base image could not be resolved from its registry: {detail}. Check the image name and that the registry is reachable; with -Pull every base image is looked up in its registry, without it the docker driver uses the engine's local images first.",
            detail, inner);
    }
}
