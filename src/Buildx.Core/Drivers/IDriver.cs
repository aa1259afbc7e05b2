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

    Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary>The driver's own idea of the BuildKit version, used when <c>Info</c> is unimplemented.</summary>
    Task<string?> GetVersionAsync(CancellationToken cancellationToken);
}
