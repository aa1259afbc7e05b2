using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Buildx.Core.Exports;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes the layer compressions, each with its level range.</summary>
public sealed class CompressionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return ExportAttributeRules.Compressions
            .Where(c => c.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(c => new CompletionResult(c.Key, c.Key, CompletionResultType.ParameterValue,
                c.Value is { } range ? $"{c.Key}, -CompressionLevel {range.Min}-{range.Max}" : $"{c.Key}, no level"));
    }
}
