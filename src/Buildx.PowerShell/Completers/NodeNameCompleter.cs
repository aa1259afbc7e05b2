using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Buildx.Core;
using Buildx.Core.Docker;

namespace Buildx.PowerShell.Completers;

/// <summary>
/// Completes node names: those of the builder given with <c>-Name</c> when there is one, else of
/// every builder. Reads the store only.
/// </summary>
public sealed class NodeNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var builderName = fakeBoundParameters?["Name"] as string;
        List<(string Node, string Builder)> nodes;
        try
        {
            nodes = new BuildxServices(ProcessEnvironment.Instance).Catalog.List()
                .Where(b => builderName is null || string.Equals(b.Name, builderName, StringComparison.OrdinalIgnoreCase))
                .SelectMany(b => b.Nodes.Select(n => (n.Name, b.Name)))
                .ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Core.Errors.BuildxException)
        {
            // Completion must never throw at the prompt.
            return [];
        }

        return nodes
            .Where(n => n.Node.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n.Node, n.Node, CompletionResultType.ParameterValue, $"{n.Node} (builder {n.Builder})"));
    }
}
