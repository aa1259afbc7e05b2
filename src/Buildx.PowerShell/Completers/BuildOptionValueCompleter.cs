using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Buildx.PowerShell.Completers;

/// <summary>
/// Completes the CSV starters of Invoke-BuildxBuild's surface parameters (cache backends, the default
/// SSH agent, ulimit names, attestation types), chosen by the parameter being completed.
/// </summary>
public sealed class BuildOptionValueCompleter : IArgumentCompleter
{
    private static readonly Dictionary<string, string[]> Values = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CacheFrom"] = ["type=registry,ref=", "type=local,src=", "type=gha", "type=s3,", "type=azblob,"],
        ["CacheTo"] = ["type=inline", "type=registry,ref=", "type=registry,mode=max,ref=", "type=local,dest=", "type=gha", "type=s3,", "type=azblob,"],
        ["Ssh"] = ["default"],
        ["Ulimit"] = ["core=", "cpu=", "data=", "fsize=", "locks=", "memlock=", "msgqueue=", "nice=", "nofile=", "nproc=", "rss=", "rtprio=", "rttime=", "sigpending=", "stack="],
        ["Attest"] = ["type=provenance,mode=min", "type=provenance,mode=max", "type=sbom"],
        ["Provenance"] = ["mode=min", "mode=max"],
        ["Allow"] = ["network.host", "security.insecure", "buildx.local.delete"],
    };

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return Values.TryGetValue(parameterName ?? string.Empty, out var values)
            ? values
                .Where(value => value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(value => new CompletionResult("'" + value + "'", value, CompletionResultType.ParameterValue, value))
            : [];
    }
}
