using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Buildx.Core.Docker;
using Buildx.Core.Kubernetes;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes the contexts of the kubeconfig given with -KubeConfig, else of KUBECONFIG or ~/.kube/config.</summary>
public sealed class KubeContextCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var kubeconfig = fakeBoundParameters?["KubeConfig"] is { } path ? Convert.ToString(path, System.Globalization.CultureInfo.InvariantCulture) : null;
        return KubernetesConnection.ListContexts(kubeconfig, ProcessEnvironment.Instance)
            .Where(context => context.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(context => new CompletionResult(context, context, CompletionResultType.ParameterValue, context));
    }
}
