using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Buildx.Core.Drivers;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes the drivers builders can be created with, each with what it is.</summary>
public sealed class DriverNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return KnownDrivers.All
            .Where(driver => driver.AllowsInstances && driver.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(driver => new CompletionResult(driver.Name, driver.Name, CompletionResultType.ParameterValue, driver.Description));
    }
}
