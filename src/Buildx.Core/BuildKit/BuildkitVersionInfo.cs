namespace Buildx.Core.BuildKit;

/// <summary>The daemon's <c>Info</c> answer: package, version and revision.</summary>
public sealed record BuildkitVersionInfo(string Package, string Version, string Revision);
