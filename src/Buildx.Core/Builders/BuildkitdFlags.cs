using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Text;

namespace Buildx.Core.Builders;

/// <summary>
/// The buildkitd argv a node stores, as buildx's <c>parseBuildkitdFlags</c> makes it: the given
/// flags shell-split, plus <c>--allow-insecure-entitlement=network.host</c> for container drivers
/// (their network is isolated) unless the user allowed entitlements themselves.
/// </summary>
public static class BuildkitdFlags
{
    public const string NetworkHostEntitlement = "--allow-insecure-entitlement=network.host";

    private const string EntitlementFlag = "--allow-insecure-entitlement";

    /// <param name="given">Flag strings; each is shell-split, so buildx's one-string form works too.</param>
    /// <param name="configAllowsNetworkHost">The buildkitd config file lists <c>network.host</c> in <c>entitlements</c>.</param>
    /// <returns>The flags to store, or null when none were given and none are added (the node's flags stay as they are).</returns>
    public static IReadOnlyList<string>? Resolve(IEnumerable<string>? given, string driver, IReadOnlyDictionary<string, string>? driverOptions, bool configAllowsNetworkHost)
    {
        ArgumentNullException.ThrowIfNull(driver);
        List<string>? flags = null;
        foreach (var text in given ?? [])
        {
            flags ??= [];
            try
            {
                flags.AddRange(ShellWords.Split(text));
            }
            catch (FormatException ex)
            {
                throw new BuildxException(ErrorIds.InvalidBuildkitdFlags, BuildxErrorKind.InvalidArgument, $"failed to parse buildkit flags '{text}': {ex.Message}", text, ex);
            }
        }

        var entitlements = AllowedEntitlements(flags ?? []);
        var hostNetwork = driverOptions is not null && driverOptions.TryGetValue(DockerContainerDriverOptions.NetworkKey, out var network) && network == "host";
        var containerDriver = driver is DockerContainerDriver.DriverName or KnownDrivers.KubernetesName;
        if ((hostNetwork && driver == DockerContainerDriver.DriverName && !entitlements.Contains("network.host"))
            || (entitlements.Count == 0 && !configAllowsNetworkHost && containerDriver))
        {
            flags ??= [];
            flags.Add(NetworkHostEntitlement);
        }

        return flags;
    }

    /// <summary>The values of every <c>--allow-insecure-entitlement</c> flag (<c>=value</c> or the next word).</summary>
    private static List<string> AllowedEntitlements(List<string> flags)
    {
        var values = new List<string>();
        for (var i = 0; i < flags.Count; i++)
        {
            if (flags[i].StartsWith(EntitlementFlag + "=", StringComparison.Ordinal))
            {
                values.Add(flags[i][(EntitlementFlag.Length + 1)..]);
            }
            else if (flags[i] == EntitlementFlag && i + 1 < flags.Count)
            {
                values.Add(flags[++i]);
            }
        }

        return values;
    }
}
