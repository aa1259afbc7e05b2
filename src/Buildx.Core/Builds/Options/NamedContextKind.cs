namespace Buildx.Core.Builds.Options;

/// <summary>What a named build context (<c>--build-context</c>) points at.</summary>
public enum NamedContextKind
{
    /// <summary>A local directory, sent through the session like the main context.</summary>
    Directory,

    /// <summary><c>docker-image://ref</c>: an image the daemon resolves.</summary>
    Image,

    /// <summary>A value BuildKit resolves itself: <c>target:stage</c>, a git or https URL.</summary>
    Remote,

    /// <summary><c>oci-layout://path[:tag|@digest]</c>: needs the session's content store.</summary>
    OciLayout,
}
