using System.Text.RegularExpressions;
using Buildx.Core.Errors;

namespace Buildx.Core.Registry;

/// <summary>
/// A docker image reference, normalized as docker's reference package does: a name without a
/// registry is on Docker Hub (<c>docker.io</c>), a one-part Hub name is under <c>library/</c>.
/// </summary>
public sealed partial record ImageReference
{
    public const string DockerHubDomain = "docker.io";

    private ImageReference(string domain, string path, string? tag, string? digest)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry as named: <c>docker.io</c>, <c>localhost:5000</c>, <c>ghcr.io</c>.</summary>
    public string Domain { get; }

    /// <summary>The repository inside the registry: <c>library/alpine</c>.</summary>
    public string Path { get; }

    public string? Tag { get; }

    public string? Digest { get; }

    /// <summary>The repository's full name: <c>docker.io/library/alpine</c>.</summary>
    public string Repository => $"{Domain}/{Path}";

    /// <summary>The host the registry's HTTP API answers on (Docker Hub's differs from its name).</summary>
    public string ApiHost => Domain == DockerHubDomain ? "registry-1.docker.io" : Domain;

    public static ImageReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var match = ReferencePattern().Match(reference);
        if (!match.Success)
        {
            throw new BuildxException(ErrorIds.InvalidImageReference, BuildxErrorKind.InvalidArgument,
                $"'{reference}' is not a valid image reference. Expected [registry[:port]/]repository[:tag][@sha256:<64 hex digits>], with a lowercase repository such as 'localhost:5000/team/app:1.0'.",
                reference);
        }

        var name = match.Groups["name"].Value;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        string domain;
        string path;
        if (slash > 0 && IsDomain(name[..slash]))
        {
            domain = name[..slash];
            path = name[(slash + 1)..];
        }
        else
        {
            domain = DockerHubDomain;
            path = name;
        }

        if (domain is DockerHubDomain or "index.docker.io")
        {
            domain = DockerHubDomain;
            path = path.Contains('/', StringComparison.Ordinal) ? path : "library/" + path;
        }

        if (path.Any(char.IsUpper))
        {
            throw new BuildxException(ErrorIds.InvalidImageReference, BuildxErrorKind.InvalidArgument,
                $"'{reference}' is not a valid image reference: repository names must be lowercase.", reference);
        }

        return new ImageReference(domain, path, NullIfEmpty(match.Groups["tag"].Value), NullIfEmpty(match.Groups["digest"].Value));
    }

    /// <summary>This repository with another tag or digest.</summary>
    public ImageReference WithTag(string? tag) => new(Domain, Path, tag, null);

    public ImageReference WithDigest(string digest) => new(Domain, Path, null, digest);

    /// <summary>The tag, the digest, or <c>latest</c>: what the registry's manifest URL ends with.</summary>
    public string ManifestReference => Digest ?? Tag ?? "latest";

    public override string ToString() => Repository + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);

    // docker's rule: the first part is a registry when it has a dot or a port, or is localhost.
    private static bool IsDomain(string part) =>
        part.Contains('.', StringComparison.Ordinal) || part.Contains(':', StringComparison.Ordinal) || part == "localhost";

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    [GeneratedRegex(@"^(?<name>(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferencePattern();
}
