using System.Globalization;
using System.Text.RegularExpressions;
using Buildx.Core.BuildKit;
using Buildx.Core.Drivers;

namespace Buildx.Core.Builds;

/// <summary>
/// Whether a node's BuildKit takes several exporters in one Solve (<c>SolveRequest.Exporters</c>,
/// BuildKit v0.13 and later). Older daemons, the engine's embedded BuildKit among them, read only the
/// single legacy exporter fields, so the build solves once per output and later solves hit the cache.
/// </summary>
public static partial class MultipleExporterSupport
{
    public static readonly Version FirstVersion = new(0, 13);

    public static async Task<bool> IsSupportedAsync(BuildkitClient client, IDriver driver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(driver);
        var version = (await client.GetVersionAsync(cancellationToken).ConfigureAwait(false))?.Version;
        if (string.IsNullOrEmpty(version))
        {
            version = await driver.GetVersionAsync(cancellationToken).ConfigureAwait(false);
        }

        return IsSupported(version);
    }

    /// <summary>True for v0.13 and later; unknown or unreadable versions are treated as older.</summary>
    public static bool IsSupported(string? version)
    {
        var match = MajorMinor().Match(version ?? string.Empty);
        return match.Success && new Version(
            int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)) >= FirstVersion;
    }

    [GeneratedRegex(@"^v?(\d+)\.(\d+)")]
    private static partial Regex MajorMinor();
}
