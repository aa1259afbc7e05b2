namespace Buildx.Core.Builds;

/// <summary>One build step as BuildKit reports it: its number in order of appearance, name and state.</summary>
public sealed record BuildStep
{
    public required int Number { get; init; }

    public required string Digest { get; init; }

    public required string Name { get; init; }

    public bool Cached { get; init; }

    public DateTimeOffset? Started { get; init; }

    public DateTimeOffset? Completed { get; init; }

    public string? Error { get; init; }

    public bool IsDone => Completed is not null;
}
