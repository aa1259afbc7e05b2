namespace Buildx.Core.Builds.Options;

/// <summary>
/// The rest of buildx's build surface: cache backends, secrets, SSH forwarding, annotations,
/// attestations, RUN-step settings, named contexts and pull. Parsed and typed by the caller;
/// <see cref="BuildOptionsPlanner"/> checks them against the driver and turns them into the request.
/// </summary>
public sealed record BuildOptions
{
    public static BuildOptions None { get; } = new();

    public IReadOnlyList<CacheSpec> CacheFrom { get; init; } = [];

    public IReadOnlyList<CacheSpec> CacheTo { get; init; } = [];

    public IReadOnlyList<SecretSpec> Secrets { get; init; } = [];

    public IReadOnlyList<SshSpec> Ssh { get; init; } = [];

    public IReadOnlyList<AnnotationSpec> Annotations { get; init; } = [];

    /// <summary>Attestation CSV strings (<c>type=provenance,mode=max</c>), already canonical for -Provenance/-Sbom.</summary>
    public IReadOnlyList<string> Attestations { get; init; } = [];

    public BuildNetworkMode Network { get; init; } = BuildNetworkMode.Default;

    public IReadOnlyList<HostEntry> ExtraHosts { get; init; } = [];

    /// <summary>/dev/shm size for RUN steps in bytes; 0 keeps the daemon's default.</summary>
    public long ShmSize { get; init; }

    public IReadOnlyList<UlimitSpec> Ulimits { get; init; } = [];

    public IReadOnlyList<NamedContext> NamedContexts { get; init; } = [];

    /// <summary>Always look for newer base images (<c>image-resolve-mode=pull</c>).</summary>
    public bool Pull { get; init; }

    /// <summary>Entitlements (<c>-Allow</c>): <see cref="Entitlement.Known"/>.</summary>
    public IReadOnlyList<string> Entitlements { get; init; } = [];
}
