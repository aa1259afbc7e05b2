using System.Collections;
using Buildx.Core;
using Buildx.Core.Docker;

namespace Buildx.PowerShell.Completers;

/// <summary>
/// Completes node names: those of the builder given with <c>-Name</c> when there is one, else of
/// every builder. Reads the store only.
/// </summary>
public sealed class NodeNameCompleter : PrefixCompleter
{
    protected override IEnumerable<(string Value, string Tooltip)> Candidates(string parameterName, IDictionary? fakeBoundParameters)
    {
        var builderName = fakeBoundParameters?["Name"] as string;
        return new BuildxServices(ProcessEnvironment.Instance).Catalog.List()
            .Where(b => builderName is null || string.Equals(b.Name, builderName, StringComparison.OrdinalIgnoreCase))
            .SelectMany(b => b.Nodes.Select(n => (n.Name, $"{n.Name} (builder {b.Name})")));
    }
}
