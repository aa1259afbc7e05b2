namespace Buildx.Core.Registry;

/// <summary>The manifest media types of the OCI image spec and Docker's schema 2.</summary>
public static class ManifestMediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>What a client accepts when it reads a manifest of any of these kinds.</summary>
    public static readonly IReadOnlyList<string> All = [OciIndex, DockerManifestList, OciManifest, DockerManifest];

    public static bool IsIndex(string mediaType) => mediaType is OciIndex or DockerManifestList;
}
