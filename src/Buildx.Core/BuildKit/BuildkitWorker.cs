namespace Buildx.Core.BuildKit;

/// <summary>One BuildKit worker as <c>ListWorkers</c> reports it.</summary>
public sealed record BuildkitWorker(string Id, IReadOnlyList<string> Platforms, IReadOnlyDictionary<string, string> Labels);
