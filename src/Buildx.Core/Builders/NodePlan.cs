namespace Buildx.Core.Builders;

/// <summary>
/// A node as a change would leave it, and what its driver makes for it: for docker-container the
/// container <c>buildx_buildkit_&lt;node&gt;</c>, its state volume and the image.
/// </summary>
public sealed record NodePlan
{
    public required string Name { get; init; }

    public required string Endpoint { get; init; }

    public IReadOnlyList<string> Platforms { get; init; } = [];

    public IReadOnlyDictionary<string, string> DriverOptions { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> BuildkitdFlags { get; init; } = [];

    /// <summary>Names of the files the node carries into the daemon's config directory.</summary>
    public IReadOnlyList<string> ConfigFiles { get; init; } = [];

    public string? ContainerName { get; init; }

    public string? StateVolumeName { get; init; }

    public string? Image { get; init; }

    /// <summary>kubernetes: the objects the node has on the cluster, such as <c>Deployment buildkit/kube0</c>.</summary>
    public IReadOnlyList<string> KubernetesObjects { get; init; } = [];

    /// <summary>kubernetes: those objects as a YAML manifest; null for other drivers or when the kubeconfig cannot be read.</summary>
    public string? KubernetesManifest { get; init; }

    /// <summary>kubernetes: why the objects could not be worked out (an unreadable kubeconfig), or null.</summary>
    public string? KubernetesProblem { get; init; }
}
