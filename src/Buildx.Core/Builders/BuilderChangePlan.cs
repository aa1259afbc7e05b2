namespace Buildx.Core.Builders;

/// <summary>
/// Exactly what a create request will do, worked out (and checked) before anything is written:
/// what <c>-WhatIf</c> shows and <c>-Confirm</c> asks about.
/// </summary>
public sealed record BuilderChangePlan
{
    public required BuilderChangeKind Kind { get; init; }

    public required string BuilderName { get; init; }

    public required string Driver { get; init; }

    /// <summary>The store entry written: <c>&lt;store&gt;/instances/&lt;lower-cased name&gt;</c>.</summary>
    public required string StorePath { get; init; }

    public required NodePlan Node { get; init; }

    /// <summary>Set when the builder becomes the current one for <see cref="CurrentKey"/>.</summary>
    public bool Use { get; init; }

    /// <summary>The Docker endpoint the current selection is filed under.</summary>
    public required string CurrentKey { get; init; }

    public bool Bootstrap { get; init; }

    /// <summary>What the user should know about the change (a plain TCP endpoint, say).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Files written under the store with the change: certificates given as objects.</summary>
    public IReadOnlyList<string> FilesWritten { get; init; } = [];

    /// <summary>The action, for ShouldProcess captions.</summary>
    public string Action => Kind switch
    {
        BuilderChangeKind.CreateBuilder => "Create builder",
        BuilderChangeKind.AppendNode => "Add builder node",
        _ => "Update builder node",
    };

    /// <summary>Several lines: the store entry, the node, its container, volume, image and options.</summary>
    public string Describe()
    {
        var lines = new List<string>
        {
            Kind switch
            {
                BuilderChangeKind.CreateBuilder => $"Create builder '{BuilderName}' (driver {Driver}) in the store entry {StorePath}",
                BuilderChangeKind.AppendNode => $"Add node '{Node.Name}' to builder '{BuilderName}' (driver {Driver}) in the store entry {StorePath}",
                _ => $"Update node '{Node.Name}' of builder '{BuilderName}' (driver {Driver}) in the store entry {StorePath}",
            },
            $"  node {Node.Name}: endpoint {Node.Endpoint}",
        };
        if (Node.ContainerName is not null)
        {
            lines.Add($"  container {Node.ContainerName} (image {Node.Image}), state volume {Node.StateVolumeName}, "
                + (Bootstrap ? "created and started now" : "created when the builder is first started"));
        }

        if (Node.KubernetesObjects.Count > 0)
        {
            lines.Add("  Kubernetes objects " + (Bootstrap ? "created now" : "created when the builder is first started") + ": " + string.Join(", ", Node.KubernetesObjects));
        }

        if (Node.KubernetesProblem is not null)
        {
            lines.Add("  Kubernetes objects: unknown yet (" + Node.KubernetesProblem + ")");
        }

        lines.Add("  driver options: " + (Node.DriverOptions.Count == 0 ? "(none)" : string.Join(", ", Node.DriverOptions.Select(o => $"{o.Key}={o.Value}"))));
        lines.Add("  buildkitd flags: " + (Node.BuildkitdFlags.Count == 0 ? "(none)" : string.Join(' ', Node.BuildkitdFlags)));
        if (Node.Platforms.Count > 0)
        {
            lines.Add("  platforms: " + string.Join(", ", Node.Platforms));
        }

        if (FilesWritten.Count > 0)
        {
            lines.Add("  writes: " + string.Join(", ", FilesWritten));
        }

        if (Node.ConfigFiles.Count > 0)
        {
            lines.Add("  config files: " + string.Join(", ", Node.ConfigFiles));
        }

        if (Use)
        {
            lines.Add($"  then make it the current builder for {CurrentKey}");
        }

        if (Node.KubernetesManifest is not null)
        {
            lines.Add("  manifest:");
            lines.AddRange(Node.KubernetesManifest.TrimEnd('\n').Split('\n').Select(line => "    " + line));
        }

        return string.Join('\n', lines);
    }
}
