using System.Text;
using k8s;
using k8s.Models;

namespace Buildx.Core.Kubernetes;

/// <summary>What the kubernetes driver creates for one node: its ConfigMaps, then a Deployment or a StatefulSet.</summary>
public sealed record KubernetesObjects(string Name, string Namespace, IReadOnlyList<V1ConfigMap> ConfigMaps, V1Deployment? Deployment, V1StatefulSet? StatefulSet)
{
    /// <summary><c>Deployment</c> or <c>StatefulSet</c>.</summary>
    public string WorkloadKind => StatefulSet is null ? "Deployment" : "StatefulSet";

    /// <summary>Every object as one-line descriptions, such as <c>Deployment buildkit/kube0</c>.</summary>
    public IReadOnlyList<string> Describe() =>
        [.. ConfigMaps.Select(map => $"ConfigMap {Namespace}/{map.Metadata.Name}"), $"{WorkloadKind} {Namespace}/{Name}"];

    /// <summary>The objects as a multi-document YAML manifest, in creation order, for kubectl apply or GitOps.</summary>
    public string ToYaml()
    {
        var documents = new List<object>(ConfigMaps);
        documents.Add(Deployment is not null ? Deployment : StatefulSet!);
        var text = new StringBuilder();
        foreach (var document in documents)
        {
            text.Append("---\n").Append(KubernetesYaml.Serialize(document).ReplaceLineEndings("\n"));
            if (text[^1] != '\n')
            {
                text.Append('\n');
            }
        }

        return text.ToString();
    }
}
