namespace Buildx.Core.Builds.Options;

/// <summary>The network RUN steps get (<c>--network</c>).</summary>
public enum BuildNetworkMode
{
    Default,
    None,
    Host,
}
