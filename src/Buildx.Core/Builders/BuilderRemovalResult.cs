using Buildx.Core.Errors;

namespace Buildx.Core.Builders;

/// <summary>What went wrong on the engines while a builder was removed (its store entry goes regardless).</summary>
public sealed record BuilderRemovalResult(IReadOnlyList<BuildxException> Failures, IReadOnlyList<string> Warnings);
