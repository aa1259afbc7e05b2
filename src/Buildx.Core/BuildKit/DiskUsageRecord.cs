namespace Buildx.Core.BuildKit;

/// <summary>One BuildKit cache record, as <c>DiskUsage</c> reports it, plus where it lives.</summary>
public sealed record DiskUsageRecord
{
    public required string Id { get; init; }

    public required string Builder { get; init; }

    public required string Node { get; init; }

    public long Size { get; init; }

    public bool Mutable { get; init; }

    public bool InUse { get; init; }

    /// <summary>buildx's RECLAIMABLE column: a record not in use can be pruned.</summary>
    public bool Reclaimable => !InUse;

    public bool Shared { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public long UsageCount { get; init; }

    public string Description { get; init; } = string.Empty;

    public string Type { get; init; } = string.Empty;

    public IReadOnlyList<string> Parents { get; init; } = [];
}
