namespace Buildx.Core.Builds;

/// <summary>One platform of a multi-platform build: the node that built it and, for images, its manifest digest.</summary>
public sealed record PlatformBuildResult(string Platform, string Node, string? ManifestDigest);
