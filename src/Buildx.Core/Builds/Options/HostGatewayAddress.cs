using Buildx.Core.BuildKit;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// Resolves <c>-AddHost name:host-gateway</c> as buildx does: only on the docker driver, to the
/// address the engine's BuildKit worker reports in its <c>host-gateway-ip</c> label.
/// </summary>
public static class HostGatewayAddress
{
    public const string WorkerLabel = "org.mobyproject.buildkit.worker.moby.host-gateway-ip";

    /// <summary>Refuses host-gateway on drivers other than docker, before anything connects.</summary>
    public static void Validate(BuildOptions options, string driver)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (driver != DockerDriver.DriverName && options.ExtraHosts.FirstOrDefault(h => h.Address == HostEntry.HostGateway) is { } entry)
        {
            throw new BuildxException(ErrorIds.InvalidAddHost, BuildxErrorKind.InvalidOperation,
                $"-AddHost '{entry.Host}:host-gateway': host-gateway is only supported with the docker driver (this builder uses {driver}). Give the host's IP address instead.", entry.Host);
        }
    }

    public static async Task<BuildOptions> ResolveAsync(BuildOptions options, BuildkitClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(client);
        return options.ExtraHosts.Any(h => h.Address == HostEntry.HostGateway)
            ? Resolve(options, await client.ListWorkersAsync(cancellationToken).ConfigureAwait(false))
            : options;
    }

    internal static BuildOptions Resolve(BuildOptions options, IReadOnlyList<BuildkitWorker> workers)
    {
        var address = workers.Select(w => w.Labels.GetValueOrDefault(WorkerLabel)).FirstOrDefault(v => !string.IsNullOrEmpty(v))
            ?? throw new BuildxException(ErrorIds.InvalidAddHost, BuildxErrorKind.ResourceUnavailable,
                $"-AddHost: unable to derive the IP value for host-gateway: the engine's BuildKit reports no {WorkerLabel} label (Docker Engine 20.10 does not; later engines do). Give the host's IP address instead.", HostEntry.HostGateway);
        return options with
        {
            ExtraHosts = options.ExtraHosts.Select(h => h.Address == HostEntry.HostGateway ? HostEntry.Create(h.Host, address) : h).ToArray(),
        };
    }
}
