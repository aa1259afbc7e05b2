using Buildx.Core.Builders;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Kubernetes;

/// <summary>A kubernetes builder's objects as one YAML manifest (every node, or the ones named), for GitOps.</summary>
public static class BuilderManifestExport
{
    public static string ToYaml(DriverFactory drivers, BuilderDefinition builder, IReadOnlyCollection<string>? nodeNames)
    {
        ArgumentNullException.ThrowIfNull(drivers);
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Driver != KubernetesDriver.DriverName)
        {
            throw new BuildxException(
                ErrorIds.NotKubernetesBuilder,
                BuildxErrorKind.InvalidArgument,
                $"The builder '{builder.Name}' uses the {builder.Driver} driver; only kubernetes builders have a manifest. Create one with New-BuildxBuilder -Driver kubernetes.",
                builder.Name);
        }

        var nodes = builder.Nodes.Where(node => nodeNames is null || nodeNames.Contains(node.Name)).ToList();
        var missing = nodeNames?.Where(name => builder.Nodes.All(node => node.Name != name)).ToList() ?? [];
        if (missing.Count > 0)
        {
            throw new BuildxException(
                ErrorIds.NodeNotFound,
                BuildxErrorKind.ObjectNotFound,
                $"The builder '{builder.Name}' has no node {string.Join(", ", missing.Select(name => $"'{name}'"))}. Its nodes: {string.Join(", ", builder.Nodes.Select(node => node.Name))}.",
                missing[0]);
        }

        var text = new System.Text.StringBuilder();
        foreach (var node in nodes)
        {
            using var driver = (KubernetesDriver)drivers.Create(builder, node);
            text.Append(driver.Objects.ToYaml());
        }

        return text.ToString();
    }
}
