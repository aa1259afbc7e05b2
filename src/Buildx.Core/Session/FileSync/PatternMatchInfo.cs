namespace Buildx.Core.Session.FileSync;

/// <summary>
/// Which patterns matched a directory, carried down to its entries while walking. A pattern that matched a
/// directory matches everything below it, so children skip re-testing their ancestors.
/// <c>default</c> means "no information": the entry's ancestors are then tested one by one.
/// </summary>
public readonly struct PatternMatchInfo
{
    private readonly bool[]? matchedByPattern;

    internal PatternMatchInfo(bool[] matchedByPattern) => this.matchedByPattern = matchedByPattern;

    internal ReadOnlySpan<bool> MatchedByPattern => matchedByPattern;
}
