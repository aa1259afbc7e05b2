namespace Buildx.Core.Builders;

/// <summary>
/// A running BuildKit pod behind a kubernetes node: buildx's "dynamic node". Its platforms come from
/// the pod's <c>buildx.docker.com/platform</c> annotation, empty when it has none.
/// </summary>
public sealed record BuilderPod(string Name, IReadOnlyList<string> Platforms);
