using Buildx.Core.Builders;
using Buildx.Core.Transport;

namespace Buildx.Core.Drivers;

/// <summary>
/// How one node's BuildKit is found, started and reached. Drivers differ only here: above the
/// stream from <see cref="Dialer"/> everything is shared.
/// </summary>
public interface IDriver : IDisposable
{
    /// <summary>buildx's driver name: <c>docker</c>, <c>docker-container</c>, <c>kubernetes</c>, <c>remote</c>.</summary>
    string Name { get; }

    /// <summary>Where the daemon is, for messages.</summary>
    string EndpointDescription { get; }

    /// <summary>Opens a new duplex stream to the daemon's gRPC API.</summary>
    StreamDialer Dialer { get; }

    /// <summary>
    /// The driver's own way to open a session tunnel, or null to use <c>Control.Session</c>.
    /// </summary>
    Session.SessionDialer? SessionDialer { get; }

    Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The status with the reason a node is not running, for drivers that know one (the remote
    /// driver's failed <c>ListWorkers</c>); by default the plain status.
    /// </summary>
    async Task<NodeStatusReport> GetStatusReportAsync(CancellationToken cancellationToken) =>
        new(await GetStatusAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>The driver's own idea of the BuildKit version, used when <c>Info</c> is unimplemented.</summary>
    Task<string?> GetVersionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes the daemon run: creates what the driver manages (a container, say) if it is missing,
    /// starts it, and returns once BuildKit answers. A no-op for drivers that only connect.
    /// </summary>
    /// <param name="progress">Gets buildx's step names ("creating container …") and, on failure, the daemon's log lines.</param>
    Task BootstrapAsync(IProgress<string>? progress, CancellationToken cancellationToken);

    /// <summary>Stops the daemon if the driver manages it; the next bootstrap starts it again.</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Removes what the driver manages. <paramref name="keepDaemon"/> leaves everything in place;
    /// <paramref name="keepState"/> keeps BuildKit's state (its cache) for a node of the same name.
    /// </summary>
    Task RemoveAsync(bool keepState, bool keepDaemon, CancellationToken cancellationToken);
}
