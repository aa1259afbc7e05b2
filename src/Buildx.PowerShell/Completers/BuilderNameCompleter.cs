using System.Collections;
using Buildx.Core;
using Buildx.Core.Docker;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes builder names from the store and Docker contexts, without contacting any node.</summary>
public sealed class BuilderNameCompleter : PrefixCompleter
{
    protected override IEnumerable<(string Value, string Tooltip)> Candidates(string parameterName, IDictionary? fakeBoundParameters) =>
        new BuildxServices(ProcessEnvironment.Instance).Catalog.List().Select(b => (b.Name, b.Name));

    protected override string CompletionText(string value) => value.Contains(' ', StringComparison.Ordinal) ? $"'{value}'" : value;
}
