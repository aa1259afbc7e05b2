using System.Collections;

namespace Buildx.PowerShell.Completers;

/// <summary>
/// Completes the CSV starters of Invoke-BuildxBuild's surface parameters (cache backends, the default
/// SSH agent, ulimit names, attestation types), chosen by the parameter being completed.
/// </summary>
public sealed class BuildOptionValueCompleter : PrefixCompleter
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

    protected override IEnumerable<(string Value, string Tooltip)> Candidates(string parameterName, IDictionary? fakeBoundParameters) =>
        Values.TryGetValue(parameterName, out var values) ? values.Select(value => (value, value)) : [];

    // Values hold ',' and '=': always quoted, so PowerShell passes them whole.
    protected override string CompletionText(string value) => "'" + value + "'";
}
