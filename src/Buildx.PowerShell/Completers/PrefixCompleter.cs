using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Buildx.PowerShell.Completers;

/// <summary>
/// What every completer here does: offer the candidates that start with what was typed (quotes
/// ignored, case-insensitive), each with a tooltip, and never throw at the prompt.
/// </summary>
public abstract class PrefixCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        List<(string Value, string Tooltip)> candidates;
        try
        {
            candidates = Candidates(parameterName ?? string.Empty, fakeBoundParameters).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Core.Errors.BuildxException)
        {
            // Completion must never throw at the prompt.
            return [];
        }

        return candidates
            .Where(candidate => candidate.Value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(candidate => new CompletionResult(CompletionText(candidate.Value), candidate.Value, CompletionResultType.ParameterValue, candidate.Tooltip))
            .ToList();
    }

    /// <summary>Every value this parameter can take here, with its tooltip.</summary>
    protected abstract IEnumerable<(string Value, string Tooltip)> Candidates(string parameterName, IDictionary? fakeBoundParameters);

    /// <summary>The text inserted at the prompt; quoted where PowerShell would split the value.</summary>
    protected virtual string CompletionText(string value) => value;
}
