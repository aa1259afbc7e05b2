using Buildx.Core.BuildKit;
using Buildx.Core.Builders;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Cache;

/// <summary>BuildKit's cache records on every node of a builder (<c>docker buildx du</c>).</summary>
public sealed class DiskUsageQuery(DriverFactory drivers)
{
    public async Task<IReadOnlyList<DiskUsageRecord>> RunAsync(BuilderDefinition builder, IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(filters);
        var perNode = await Task.WhenAll(builder.Nodes.Select(node => QueryNodeAsync(builder, node, filters, cancellationToken))).ConfigureAwait(false);
        return perNode.SelectMany(records => records).ToArray();
    }

    private async Task<IReadOnlyList<DiskUsageRecord>> QueryNodeAsync(BuilderDefinition builder, NodeDefinition node, IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        using var driver = drivers.Create(builder, node);
        await driver.EnsureRunningAsync(builder, node, cancellationToken).ConfigureAwait(false);

        using var client = new BuildkitClient(driver.Dialer, driver.EndpointDescription);
        var records = await client.DiskUsageAsync(filters, cancellationToken).ConfigureAwait(false);
        return records.Select(r => ToRecord(r, builder.Name, node.Name)).ToArray();
    }

    internal static DiskUsageRecord ToRecord(BuildKit.Protocol.Control.UsageRecord record, string builderName, string nodeName) => new()
    {
        Id = record.ID,
        Builder = builderName,
        Node = nodeName,
        Size = record.Size,
        Mutable = record.Mutable,
        InUse = record.InUse,
        Shared = record.Shared,
        CreatedAt = record.CreatedAt?.ToDateTimeOffset(),
        LastUsedAt = record.LastUsedAt?.ToDateTimeOffset(),
        UsageCount = record.UsageCount,
        Description = record.Description,
        Type = record.RecordType,
        Parents = record.Parents.ToArray(),
    };
}
