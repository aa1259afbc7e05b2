namespace Buildx.Core.Builders;

/// <summary>What removing one node deletes on its engine, given <c>-KeepDaemon</c> and <c>-KeepState</c>.</summary>
public sealed record NodeRemovalPlan
{
    public required string Name { get; init; }

    public required string Endpoint { get; init; }

    /// <summary>The daemon's container, for drivers that run one (docker-container).</summary>
    public string? ContainerName { get; init; }

    public string? StateVolumeName { get; init; }

    public bool RemovesContainer { get; init; }

    public bool RemovesStateVolume { get; init; }

    /// <summary>kubernetes: the objects deleted (none with -KeepDaemon), such as <c>Deployment buildkit/kube0</c>.</summary>
    public IReadOnlyList<string> KubernetesObjects { get; init; } = [];

    /// <summary>kubernetes: the deleted objects as YAML, for -WhatIf.</summary>
    public string? KubernetesManifest { get; init; }

    /// <summary>Why nothing can be done on the engine (the node's driver cannot be made), or null.</summary>
    public string? Problem { get; init; }

    internal string Describe()
    {
        if (Problem is not null)
        {
            return $"node {Name} on {Endpoint}: nothing removed on the engine ({Problem})";
        }

        if (KubernetesObjects.Count > 0)
        {
            var manifest = KubernetesManifest is null ? string.Empty : "\n" + string.Join('\n', KubernetesManifest.TrimEnd('\n').Split('\n').Select(line => "    " + line));
            return RemovesContainer
                ? $"node {Name} on {Endpoint}: delete {string.Join(", ", KubernetesObjects)}{manifest}"
                : $"node {Name} on {Endpoint}: keep {string.Join(", ", KubernetesObjects)} on the cluster";
        }

        if (ContainerName is null)
        {
            return $"node {Name} on {Endpoint}: nothing to remove on the engine";
        }

        var container = RemovesContainer ? $"stop and remove container {ContainerName}" : $"keep container {ContainerName}";
        var volume = RemovesStateVolume ? $"remove volume {StateVolumeName}" : $"keep volume {StateVolumeName}";
        return $"node {Name} on {Endpoint}: {container}; {volume}";
    }
}
