namespace Buildx.Core.Cache;

/// <summary>What <c>docker buildx prune</c> sends: filters, all, and the limits of what is kept.</summary>
public sealed record CachePruneOptions
{
    /// <summary>buildx's <c>--filter</c> values (<c>type=regular</c>, <c>until=24h</c>) or BuildKit's own (<c>type==regular</c>).</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary>Include internal and frontend records (buildx's <c>--all</c>).</summary>
    public bool All { get; init; }

    /// <summary>Keep records used within this long (buildx's <c>until</c> filter).</summary>
    public TimeSpan? KeepDuration { get; init; }

    /// <summary>Bytes of cache to keep in any case (<c>--reserved-space</c>, formerly <c>--keep-storage</c>).</summary>
    public long ReservedSpace { get; init; }

    /// <summary>Prune until the cache is no larger than this (BuildKit v0.17 and later).</summary>
    public long MaxUsedSpace { get; init; }

    /// <summary>Prune until the disk has this much free (BuildKit v0.17 and later).</summary>
    public long MinFreeSpace { get; init; }
}
