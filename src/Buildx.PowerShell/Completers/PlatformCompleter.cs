using System.Collections;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes common platforms, and <c>local</c> (this machine's), without contacting any node.</summary>
public sealed class PlatformCompleter : PrefixCompleter
{
    private static readonly string[] Platforms =
    [
        "local", "linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/386", "linux/ppc64le",
        "linux/s390x", "linux/riscv64", "linux/mips64le", "linux/amd64/v2", "linux/amd64/v3", "windows/amd64", "windows/arm64",
    ];

    protected override IEnumerable<(string Value, string Tooltip)> Candidates(string parameterName, IDictionary? fakeBoundParameters) =>
        Platforms.Select(platform => (platform, platform == "local" ? "This machine's platform" : platform));
}
