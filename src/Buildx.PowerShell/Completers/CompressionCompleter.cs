using System.Collections;
using Buildx.Core.Exports;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes the layer compressions, each with its level range.</summary>
public sealed class CompressionCompleter : PrefixCompleter
{
    protected override IEnumerable<(string Value, string Tooltip)> Candidates(string parameterName, IDictionary? fakeBoundParameters) =>
        ExportAttributeRules.Compressions.Select(c => (c.Key, c.Value is { } range ? $"{c.Key}, -CompressionLevel {range.Min}-{range.Max}" : $"{c.Key}, no level"));
}
