namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// The network RUN steps get, as buildx's <c>--network</c>. Declared here, not in the core: PowerShell
/// reads parameter types while importing, before the core's load context can resolve them.
/// </summary>
public enum BuildNetwork
{
    /// <summary>The builder's default network.</summary>
    Default,

    /// <summary>No network: only loopback.</summary>
    None,

    /// <summary>The host's network (needs the network.host entitlement on the builder).</summary>
    Host,
}
