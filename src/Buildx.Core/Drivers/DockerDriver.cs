using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Transport;

namespace Buildx.Core.Drivers;

/// <summary>
/// The <c>docker</c> driver: the Docker engine's embedded BuildKit, reached by upgrading an Engine
/// API connection with <c>POST /grpc</c>. Nothing to start or stop; running means the engine answers.
/// </summary>
public sealed class DockerDriver(DockerEngineClient engine) : IDriver
{
    public const string DriverName = "docker";

    public string Name => DriverName;

    /// <summary>The engine itself: builds on this driver load and push through its API.</summary>
    internal DockerEngineClient Engine => engine;

    public string EndpointDescription => $"the Docker engine at {engine.Context.Host}";

    public StreamDialer Dialer => engine.DialBuildkitAsync;

    /// <summary>The engine's <c>POST /session</c> upgrade, as buildx's docker driver uses.</summary>
    public Session.SessionDialer SessionDialer => engine.DialSessionAsync;

    public async Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        await engine.PingAsync(cancellationToken).ConfigureAwait(false);
        return NodeStatus.Running;
    }

    public async Task<string?> GetVersionAsync(CancellationToken cancellationToken)
    {
        var version = await engine.GetVersionAsync(cancellationToken).ConfigureAwait(false);
        return EngineBuildkitVersion.FromEngineVersion(version.Version);
    }

    /// <summary>The engine runs its BuildKit itself: nothing to start.</summary>
    public Task BootstrapAsync(IProgress<string>? progress, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The engine's BuildKit is not this module's to stop.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Nothing was created, so nothing is removed.</summary>
    public Task RemoveAsync(bool keepState, bool keepDaemon, CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => engine.Dispose();
}
