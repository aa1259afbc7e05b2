using Buildx.Core.Versioning;

namespace Buildx.Core.Drivers;

/// <summary>
/// The BuildKit version embedded in a Docker engine, for engines whose BuildKit does not answer
/// <c>Info</c>. buildx derives it from the engine version with this table (first match wins), so
/// both tools print the same BUILDKIT column; newer engines report their own version.
/// </summary>
public static class EngineBuildkitVersion
{
    // (lowest, lowest included, highest, highest included, releases only, BuildKit version).
    // "X-0" is the lowest version of X, prereleases included. Two buildx ranges that can never
    // match (18.09.2 to 18.09.6) are left out.
    private static readonly (string? Low, bool LowIn, string? High, bool HighIn, bool ReleasesOnly, string Buildkit)[] Table =
    [
        ("18.6.0-0", true, "18.6.1-0", false, false, "v0.0.0+9acf51e"),
        ("18.6.1-0", true, "18.9.0-0", false, false, "v0.0.0+98f1604"),
        ("18.9.0-0", true, "18.9.1-0", false, false, "v0.0.0+c7bb575"),
        ("18.9.1-0", true, "18.10.0-0", false, false, "v0.3.3"),
        ("18.9.7-0", true, "19.3.0-0", false, false, "v0.4.0+05766c5"),
        (null, false, "19.3.0-beta2", true, false, "v0.4.0+b302896"),
        (null, false, "19.3.0-beta3", true, false, "v0.4.0+8818c67"),
        (null, false, "19.3.0-beta5", true, false, "v0.5.1+f238f1e"),
        (null, false, "19.3.2-0", false, false, "v0.5.1+1f89ec1"),
        (null, false, "19.3.2-beta1", true, false, "v0.6.1"),
        ("19.3.2-0", true, "19.3.3-0", false, false, "v0.6.1+588c73e"),
        ("19.3.3-0", true, "19.3.5-beta2", false, false, "v0.6.2"),
        (null, false, "19.3.5-rc1", true, false, "v0.6.2+ff93519"),
        (null, false, "19.3.5", true, true, "v0.6.3+928f3b4"),
        (null, false, "19.3.6-rc1", true, false, "v0.6.3+926935b"),
        ("19.3.6-rc2", true, "19.3.7-0", false, false, "v0.6.3+57e8ad5"),
        ("19.3.7-0", true, "19.3.9-0", false, false, "v0.6.4"),
        ("19.3.9-0", true, "19.3.13-0", false, false, "v0.6.4+a7d7b7f"),
        (null, false, "19.3.13-beta2", true, false, "v0.6.4+da1f4bf"),
        (null, false, "19.3.14", true, true, "v0.6.4+df89d4d"),
        (null, false, "20.10.0", false, true, "v0.6.4+396bfe2"),
        ("20.10.0-0", true, "20.10.2-0", true, false, "v0.8.1"),
        ("20.10.3-0", true, "20.10.4-0", false, false, "v0.8.1+68bb095"),
        ("20.10.4-0", true, "20.10.6", true, false, "v0.8.2"),
        ("20.10.7-0", true, "20.10.10-0", true, false, "v0.8.2+244e8cde"),
        ("20.10.11-0", true, "20.10.18-0", true, false, "v0.8.2+bc07b2b8"),
        ("20.10.19-0", true, "20.10.20-0", false, false, "v0.8.2+3a1eeca5"),
        ("20.10.20-0", true, "20.10.21-0", false, false, "v0.8.2+c0149372"),
        ("20.10.21-0", true, "20.10.23", true, false, "v0.8.2+eeb7b65"),
        ("20.10.0-0", true, "20.11.0-0", false, false, "v0.8+unknown"),
        ("22.6.0-0", true, "22.7.0-0", false, false, "v0.10.3"),
        ("23.0.0-0", true, "23.0.1-0", false, false, "v0.10.6"),
        ("23.0.1", true, "23.0.1", true, true, "v0.10.6+4f0ee09"),
        ("23.0.2-0", true, "23.0.4-0", false, false, "v0.10.6+70f2ad5"),
        ("23.0.4-0", true, "23.0.7-0", false, false, "v0.10.6+d52b2d5"),
        ("23.0.0-0", true, "24.0.0-0", false, false, "v0.10+unknown"),
    ];

    /// <summary>The BuildKit version for an engine version; engines past the table report their own version.</summary>
    public static string FromEngineVersion(string engineVersion)
    {
        ArgumentNullException.ThrowIfNull(engineVersion);
        if (SemanticVersion.TryParse(engineVersion, out var version))
        {
            foreach (var row in Table)
            {
                if (Matches(version, row.Low, row.LowIn, row.High, row.HighIn, row.ReleasesOnly))
                {
                    return row.Buildkit;
                }
            }
        }

        return engineVersion.EndsWith("-moby", StringComparison.Ordinal) ? engineVersion[..^5] : engineVersion;
    }

    private static bool Matches(SemanticVersion version, string? low, bool lowIn, string? high, bool highIn, bool releasesOnly)
    {
        if (releasesOnly && version.Prerelease.Length > 0)
        {
            return false;
        }

        if (low is not null)
        {
            var lowest = SemanticVersion.Parse(low);
            if (lowIn ? version < lowest : version <= lowest)
            {
                return false;
            }
        }

        if (high is not null)
        {
            var highest = SemanticVersion.Parse(high);
            if (highIn ? version > highest : version >= highest)
            {
                return false;
            }
        }

        return true;
    }
}
