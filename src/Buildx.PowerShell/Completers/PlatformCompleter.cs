using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes common platforms, and <c>local</c> (this machine's), without contacting any node.</summary>
public sealed class PlatformCompleter : IArgumentCompleter
{
    private static readonly string[] Platforms =
    [
        "local", "linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/386", "linux/ppc64le",
        "linux/s390x", "linux/riscv64", "linux/mips64le", "linux/amd64/v2", "linux/amd64/v3", "windows/amd64", "windows/arm64",
    ];

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return Platforms
            .Where(platform => platform.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(platform => new CompletionResult(platform, platform, CompletionResultType.ParameterValue, platform == "local" ? "This machine's platform" : platform));
    }
}
