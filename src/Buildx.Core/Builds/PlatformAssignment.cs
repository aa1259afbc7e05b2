using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Builds;

/// <summary>What one node can build: the platforms declared for it and those its workers report (native first).</summary>
public sealed record NodePlatforms(string Node, IReadOnlyList<string> Declared, IReadOnlyList<string> Worker);

/// <summary>The platforms one node builds in one solve (several: BuildKit's own multi-platform export).</summary>
public sealed record NodeAssignment(string Node, IReadOnlyList<string> Platforms, bool Emulated);

/// <summary>
/// Splits requested platforms over a builder's nodes: a node whose declared or native platform is
/// the platform comes first, then a node whose workers can emulate it; nodes are tried in the
/// builder's order. A platform nobody can build is a terminating error that lists what the
/// builder offers.
/// </summary>
public static class PlatformAssignment
{
    public static IReadOnlyList<NodeAssignment> Assign(string builder, IReadOnlyList<string> requested, IReadOnlyList<NodePlatforms> nodes)
    {
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(nodes);
        var platforms = (PlatformSpecifier.ParseList(requested) ?? []).Select(PlatformSpecifier.Format).Distinct(StringComparer.Ordinal).ToList();
        var normalized = nodes.Select(n => (
            n.Node,
            Preferred: Normalize(n.Declared.Concat(n.Worker.Take(1))),
            Emulated: Normalize(n.Worker.Skip(1)))).ToList();

        var assigned = new List<(string Node, string Platform, bool Emulated)>();
        foreach (var platform in platforms)
        {
            var preferred = normalized.FirstOrDefault(n => n.Preferred.Contains(platform));
            if (preferred.Node is not null)
            {
                assigned.Add((preferred.Node, platform, false));
                continue;
            }

            var emulating = normalized.FirstOrDefault(n => n.Emulated.Contains(platform));
            if (emulating.Node is null)
            {
                var offered = nodes.Select(n => $"{n.Node}: {(n.Declared.Concat(n.Worker).Any() ? string.Join(", ", n.Declared.Concat(n.Worker).Distinct(StringComparer.Ordinal)) : "none known (is it running?)")}");
                throw new BuildxException(ErrorIds.PlatformNotSupported, BuildxErrorKind.InvalidArgument,
                    $"No node of the builder '{builder}' can build {platform}. Its nodes offer {string.Join("; ", offered)}. Add a node for it (Add-BuildxBuilderNode -Platform {platform}) or install emulators on a node.",
                    platform);
            }

            assigned.Add((emulating.Node, platform, true));
        }

        // In the builder's node order, so progress and results read the same way every time.
        return nodes
            .Select(n => n.Node)
            .Where(node => assigned.Any(a => a.Node == node))
            .Select(node => new NodeAssignment(
                node,
                assigned.Where(a => a.Node == node).Select(a => a.Platform).ToArray(),
                assigned.Any(a => a.Node == node && a.Emulated)))
            .ToList();
    }

    private static HashSet<string> Normalize(IEnumerable<string> platforms) =>
        new((PlatformSpecifier.ParseList(platforms.ToList()) ?? []).Select(PlatformSpecifier.Format), StringComparer.Ordinal);
}
