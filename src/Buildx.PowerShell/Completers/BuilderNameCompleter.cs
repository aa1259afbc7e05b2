using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Buildx.Core;
using Buildx.Core.Docker;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes builder names from the store and Docker contexts, without contacting any node.</summary>
public sealed class BuilderNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        IEnumerable<string> names;
        try
        {
            names = new BuildxServices(ProcessEnvironment.Instance).Catalog.List().Select(b => b.Name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Core.Errors.BuildxException)
        {
            // Completion must never throw at the prompt.
            yield break;
        }

        foreach (var name in names.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            var text = name.Contains(' ', StringComparison.Ordinal) ? $"'{name}'" : name;
            yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, name);
        }
    }
}
