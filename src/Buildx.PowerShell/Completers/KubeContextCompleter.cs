using System.Collections;
using Buildx.Core.Docker;
using Buildx.Core.Kubernetes;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes the contexts of the kubeconfig given with -KubeConfig, else of KUBECONFIG or ~/.kube/config.</summary>
public sealed class KubeContextCompleter : PrefixCompleter
{
    protected override IEnumerable<(string Value, string Tooltip)> Candidates(string parameterName, IDictionary? fakeBoundParameters)
    {
        var kubeconfig = fakeBoundParameters?["KubeConfig"] is { } path ? Convert.ToString(path, System.Globalization.CultureInfo.InvariantCulture) : null;
        return KubernetesConnection.ListContexts(kubeconfig, ProcessEnvironment.Instance)
            .Order(StringComparer.Ordinal)
            .Select(context => (context, context));
    }
}
