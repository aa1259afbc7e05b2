using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Buildx.Core.BuildKit;
using Buildx.Core.BuildKit.Protocol.Control;
using Buildx.Core.Builders;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Cache;

/// <summary>
/// Removes BuildKit cache records on every node of a builder (<c>docker buildx prune</c>) through
/// <c>Control.Prune</c>, yielding each removed record as the daemon reports it.
/// </summary>
public sealed partial class CachePrune(DriverFactory drivers)
{
    /// <summary>The BuildKit version that honours <c>maxUsedSpace</c> and <c>minFreeSpace</c>; older daemons ignore them.</summary>
    public static readonly Version FreeSpaceLimitsVersion = new(0, 17);

    /// <summary>The request buildx would send; checks the filters first.</summary>
    internal static PruneRequest CreateRequest(CachePruneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (filter, until) = PruneFilters.Translate(options.Filters);
        if (until is not null && options.KeepDuration is not null)
        {
            throw new BuildxException(ErrorIds.InvalidPruneFilter, BuildxErrorKind.InvalidArgument, "Give the keep duration once: as -KeepDuration or as the 'until' filter, not both.", "until");
        }

        var keep = options.KeepDuration ?? until ?? TimeSpan.Zero;
        var request = new PruneRequest
        {
            All = options.All,
            KeepDuration = keep.Ticks * 100, // nanoseconds
            ReservedSpace = options.ReservedSpace,
            MaxUsedSpace = options.MaxUsedSpace,
            MinFreeSpace = options.MinFreeSpace,
        };
        if (filter is not null)
        {
            request.Filter.Add(filter);
        }

        return request;
    }

    public async IAsyncEnumerable<DiskUsageRecord> RunAsync(BuilderDefinition builder, CachePruneOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var request = CreateRequest(options);
        foreach (var node in builder.Nodes)
        {
            using var driver = drivers.Create(builder, node);
            await driver.EnsureRunningAsync(builder, node, cancellationToken).ConfigureAwait(false);

            using var client = new BuildkitClient(driver.Dialer, driver.EndpointDescription);
            if (options.MaxUsedSpace != 0 || options.MinFreeSpace != 0)
            {
                await EnsureFreeSpaceLimitsAsync(builder, node, driver, client, cancellationToken).ConfigureAwait(false);
            }

            await foreach (var record in client.PruneAsync(request, cancellationToken).ConfigureAwait(false))
            {
                yield return DiskUsageQuery.ToRecord(record, builder.Name, node.Name);
            }
        }
    }

    /// <summary>
    /// buildx refuses these limits below BuildKit v0.17 (older daemons would silently prune by
    /// other rules); the version comes from <c>Info</c>, else from the driver.
    /// </summary>
    private static async Task EnsureFreeSpaceLimitsAsync(BuilderDefinition builder, NodeDefinition node, IDriver driver, BuildkitClient client, CancellationToken cancellationToken)
    {
        var version = (await client.GetVersionAsync(cancellationToken).ConfigureAwait(false))?.Version;
        if (string.IsNullOrEmpty(version))
        {
            version = await driver.GetVersionAsync(cancellationToken).ConfigureAwait(false);
        }

        var match = MajorMinor().Match(version ?? string.Empty);
        if (match.Success && new Version(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)) < FreeSpaceLimitsVersion)
        {
            throw new BuildxException(
                ErrorIds.PruneOptionNotSupported,
                BuildxErrorKind.NotImplemented,
                $"-MaxUsedSpace and -MinFreeSpace need BuildKit v{FreeSpaceLimitsVersion} or later; node '{node.Name}' of builder '{builder.Name}' runs {version}. Use -ReservedSpace, -KeepDuration or -Filter instead.",
                node.Name);
        }
    }

    [GeneratedRegex(@"^v?(\d+)\.(\d+)")]
    private static partial Regex MajorMinor();
}
