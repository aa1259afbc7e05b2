using System.Globalization;
using System.Text.RegularExpressions;
using Buildx.Core.BuildKit;
using Buildx.Core.Drivers;

namespace Buildx.Core.Builds;

/// <summary>
/// What a node's BuildKit can do, judged from its version as buildx judges it from the daemon's caps:
/// several exporters in one Solve (<c>SolveRequest.Exporters</c>, v0.13 and later; older daemons, the
/// engine's embedded BuildKit among them, read only the single legacy exporter fields) and image
/// attestations (cap <c>exporter.image.attestations</c>, v0.11 and later). Unknown or unreadable
/// versions are treated as older.
/// </summary>
public sealed partial record DaemonFeatures(string? Version)
{
    public static readonly Version SeveralExportersSince = new(0, 13);
    public static readonly Version AttestationsSince = new(0, 11);

    public bool TakesSeveralExporters => AtLeast(SeveralExportersSince);

    public bool HasAttestations => AtLeast(AttestationsSince);

    /// <summary>Reads the version through Control.Info, or the driver where the daemon has no Info (before v0.11).</summary>
    public static async Task<DaemonFeatures> ReadAsync(BuildkitClient client, IDriver driver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(driver);
        var version = (await client.GetVersionAsync(cancellationToken).ConfigureAwait(false))?.Version;
        if (string.IsNullOrEmpty(version))
        {
            version = await driver.GetVersionAsync(cancellationToken).ConfigureAwait(false);
        }

        return new DaemonFeatures(version);
    }

    private bool AtLeast(Version first)
    {
        var match = MajorMinor().Match(Version ?? string.Empty);
        return match.Success && new Version(
            int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)) >= first;
    }

    [GeneratedRegex(@"^v?(\d+)\.(\d+)")]
    private static partial Regex MajorMinor();
}
