using Buildx.Core.BuildKit;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Builders;

/// <summary>
/// Loads the status of builders' nodes: driver status, then <c>ListWorkers</c> and <c>Info</c>.
/// Every node loads in parallel under one timeout, so a dead endpoint costs at most that long.
/// </summary>
public sealed class BuilderLoader(DriverFactory drivers)
{
    public const string UnknownVersion = "unknown";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public async Task<IReadOnlyList<Builder>> LoadAsync(
        IReadOnlyList<BuilderDefinition> builders,
        string? currentName,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builders);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var loads = builders.Select(builder => LoadOneAsync(builder, currentName, timeout, deadline.Token, cancellationToken));
        return await Task.WhenAll(loads).ConfigureAwait(false);
    }

    private async Task<Builder> LoadOneAsync(BuilderDefinition builder, string? currentName, TimeSpan timeout, CancellationToken deadline, CancellationToken userCancellation)
    {
        var nodes = await Task.WhenAll(builder.Nodes.Select(node => LoadNodeAsync(builder, node, timeout, deadline, userCancellation))).ConfigureAwait(false);
        return new Builder
        {
            Name = builder.Name,
            Driver = builder.Driver,
            IsCurrent = string.Equals(builder.Name, currentName, StringComparison.OrdinalIgnoreCase),
            IsDockerContext = builder.IsDockerContext,
            LastActivity = builder.LastActivity,
            Nodes = nodes,
            Dynamic = nodes.Length > 0 && nodes.All(node => node.Pods.Count > 0),
        };
    }

    private async Task<BuilderNode> LoadNodeAsync(BuilderDefinition builder, NodeDefinition node, TimeSpan timeout, CancellationToken deadline, CancellationToken userCancellation)
    {
        var result = new BuilderNode
        {
            Name = node.Name,
            Endpoint = node.Endpoint,
            DeclaredPlatforms = node.Platforms,
            Platforms = node.Platforms,
            DriverOptions = node.DriverOptions,
            BuildkitdFlags = node.BuildkitdFlags,
        };
        try
        {
            using var driver = drivers.Create(builder, node);
            var report = await driver.GetStatusReportAsync(deadline).ConfigureAwait(false);
            if (report.Status != NodeStatus.Running)
            {
                return result with { Status = report.Status, StatusReason = report.Reason, StatusReasonId = report.ReasonId };
            }

            using var client = new BuildkitClient(driver.Dialer, driver.EndpointDescription);
            var workersTask = client.ListWorkersAsync(deadline);
            var versionTask = client.GetVersionAsync(deadline);
            var workers = await workersTask.ConfigureAwait(false);
            var version = (await versionTask.ConfigureAwait(false))?.Version;
            if (string.IsNullOrEmpty(version))
            {
                version = await driver.GetVersionAsync(deadline).ConfigureAwait(false);
            }

            return result with
            {
                Status = NodeStatus.Running,
                BuildkitVersion = string.IsNullOrEmpty(version) ? UnknownVersion : version,
                Platforms = node.Platforms.Concat(workers.SelectMany(w => w.Platforms)).Distinct(StringComparer.Ordinal).ToArray(),
                Labels = workers.Count > 0 ? workers[0].Labels : result.Labels,
                WorkerIds = workers.Select(w => w.Id).ToArray(),
                Pods = report.Pods ?? [],
            };
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !userCancellation.IsCancellationRequested)
        {
            return result with
            {
                Status = NodeStatus.Error,
                ErrorId = ErrorIds.NodeStatusTimeout,
                Error = $"Loading the status of node '{node.Name}' took longer than {timeout.TotalSeconds:0.#} s.",
            };
        }
        catch (BuildxException ex)
        {
            return result with { Status = NodeStatus.Error, ErrorId = ex.ErrorId, Error = ex.Message };
        }
    }
}
