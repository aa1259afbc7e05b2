using System.Globalization;
using System.Net;
using Buildx.Core.Builders;
using Buildx.Core.Errors;
using Buildx.Core.Kubernetes;
using Buildx.Core.Transport;
using k8s;
using k8s.Models;

namespace Buildx.Core.Drivers;

/// <summary>
/// The <c>kubernetes</c> driver: BuildKit pods of a Deployment (a StatefulSet with a volume claim)
/// named after the node, reached by an exec of <c>buildctl dial-stdio</c> in one of the pods over
/// the API server's WebSocket exec. No service or port is involved.
/// </summary>
public sealed class KubernetesDriver : IDriver
{
    public const string DriverName = KnownDrivers.KubernetesName;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);
    private static readonly string[] DialStdioCommand = ["buildctl", "dial-stdio"];

    private readonly KubernetesConnection connection;
    private readonly IReadOnlyList<string> buildkitdFlags;
    private readonly IReadOnlyDictionary<string, byte[]> configFiles;
    private readonly IReadOnlyList<string> platforms;
    private readonly Action<string>? diagnostics;
    private readonly SemaphoreSlim choosing = new(1, 1);
    private string? chosenPod;

    /// <param name="connection">The cluster; the driver owns and disposes it.</param>
    public KubernetesDriver(
        KubernetesConnection connection,
        string nodeName,
        KubernetesDriverOptions options,
        IReadOnlyList<string>? buildkitdFlags = null,
        IReadOnlyDictionary<string, byte[]>? configFiles = null,
        IReadOnlyList<string>? platforms = null,
        Action<string>? diagnostics = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        ArgumentNullException.ThrowIfNull(options);
        this.connection = connection;
        NodeName = nodeName;
        Options = options;
        this.buildkitdFlags = buildkitdFlags ?? [];
        this.configFiles = configFiles ?? new Dictionary<string, byte[]>();
        this.platforms = platforms ?? [];
        this.diagnostics = diagnostics;
        Namespace = options.Namespace ?? connection.DefaultNamespace;
    }

    public string Name => DriverName;

    public string NodeName { get; }

    public KubernetesDriverOptions Options { get; }

    /// <summary>The namespace of every object: the option, else the kubeconfig context's.</summary>
    public string Namespace { get; }

    /// <summary>The Deployment's (or StatefulSet's) name, also its <c>app</c> label.</summary>
    public string WorkloadName => KubernetesManifest.WorkloadName(NodeName);

    /// <summary>
    /// buildx's sticky key: the build context's absolute path. Null uses the current directory, as
    /// buildx does for commands without a context.
    /// </summary>
    public string? ContextPathHash { get; set; }

    /// <summary>The pod this driver's connections go to, once one was chosen.</summary>
    public string? ChosenPod => chosenPod;

    public string EndpointDescription => $"{Options.LoadBalance} pod of {(Options.UsesStatefulSet ? "StatefulSet" : "Deployment")} {Namespace}/{WorkloadName} on {connection.Description}";

    /// <summary>Every dial of one driver goes to the same pod, so a build's session and its Solve meet.</summary>
    public StreamDialer Dialer => DialAsync;

    public Session.SessionDialer? SessionDialer => null;

    /// <summary>The objects this node has on the cluster (or would have after bootstrap).</summary>
    public KubernetesObjects Objects => KubernetesManifest.Build(NodeName, Namespace, Options, buildkitdFlags, configFiles, platforms);

    /// <summary>inactive: no workload; stopped: no ready replica; running.</summary>
    public async Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var ready = await ReadReadyReplicasAsync(cancellationToken).ConfigureAwait(false);
        return ready switch
        {
            null => NodeStatus.Inactive,
            <= 0 => NodeStatus.Stopped,
            _ => NodeStatus.Running,
        };
    }

    /// <summary>The status; when running, with the running pods, as buildx's driver Info lists its dynamic nodes.</summary>
    public async Task<NodeStatusReport> GetStatusReportAsync(CancellationToken cancellationToken)
    {
        var status = await GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (status != NodeStatus.Running)
        {
            return new NodeStatusReport(status);
        }

        var pods = await ListRunningPodsAsync(cancellationToken).ConfigureAwait(false);
        return new NodeStatusReport(status, Pods: pods.Select(pod => new BuilderPod(pod.Metadata.Name, AnnotatedPlatforms(pod))).ToArray());
    }

    /// <summary>As buildx: the driver has no version of its own; BuildKit's Info answers.</summary>
    public Task<string?> GetVersionAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public async Task BootstrapAsync(IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var objects = Objects;
        var existing = await ReadWorkloadAsync(cancellationToken).ConfigureAwait(false);
        if (existing is null && Options.Rootless)
        {
            await EnsureRootlessSupportedAsync(cancellationToken).ConfigureAwait(false);
        }

        if (existing is null)
        {
            await CreateAsync(objects, progress, cancellationToken).ConfigureAwait(false);
        }
        else if (existing.Value.Replicas != Options.Replicas)
        {
            progress?.Report($"scaling {objects.WorkloadKind} {Namespace}/{WorkloadName} from {existing.Value.Replicas} to {Options.Replicas} replicas");
            await ScaleAsync(cancellationToken).ConfigureAwait(false);
        }

        await WaitUntilReadyAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As buildx: the pods keep running (a Deployment has no stopped state).</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deletes exactly what bootstrap creates: the workload and its ConfigMaps; nothing with <paramref name="keepDaemon"/>.</summary>
    public async Task RemoveAsync(bool keepState, bool keepDaemon, CancellationToken cancellationToken)
    {
        if (keepDaemon)
        {
            return;
        }

        var objects = Objects;
        var apps = connection.Client.AppsV1;
        if (objects.StatefulSet is not null)
        {
            await IgnoreNotFoundAsync(() => apps.DeleteNamespacedStatefulSetAsync(WorkloadName, Namespace, cancellationToken: cancellationToken), $"delete StatefulSet {Namespace}/{WorkloadName}").ConfigureAwait(false);
        }
        else
        {
            await IgnoreNotFoundAsync(() => apps.DeleteNamespacedDeploymentAsync(WorkloadName, Namespace, cancellationToken: cancellationToken), $"delete Deployment {Namespace}/{WorkloadName}").ConfigureAwait(false);
        }

        foreach (var map in objects.ConfigMaps)
        {
            await IgnoreNotFoundAsync(() => connection.Client.CoreV1.DeleteNamespacedConfigMapAsync(map.Metadata.Name, Namespace, cancellationToken: cancellationToken), $"delete ConfigMap {Namespace}/{map.Metadata.Name}").ConfigureAwait(false);
        }
    }

    /// <summary>The running pods (phase Running, not being deleted), sorted by name, as buildx lists them.</summary>
    public async Task<IReadOnlyList<V1Pod>> ListRunningPodsAsync(CancellationToken cancellationToken)
    {
        var pods = await ListPodsAsync(cancellationToken).ConfigureAwait(false);
        return pods.Where(pod => pod.Status?.Phase == "Running" && pod.Metadata.DeletionTimestamp is null)
            .OrderBy(pod => pod.Metadata.Name, StringComparer.Ordinal)
            .ToArray();
    }

    private static string[] AnnotatedPlatforms(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(KubernetesDriverOptions.PlatformAnnotation, out var value) == true
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    public void Dispose()
    {
        choosing.Dispose();
        connection.Dispose();
    }

    private async Task<Stream> DialAsync(CancellationToken cancellationToken)
    {
        var pod = await ChoosePodAsync(cancellationToken).ConfigureAwait(false);
        return await ExecRetry.RunAsync<Stream>(
            async token => await PodExecStream.OpenAsync(connection.Client, Namespace, pod, KubernetesManifest.ContainerName, DialStdioCommand, diagnostics, token).ConfigureAwait(false),
            ExecRetry.Backoff,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> ChoosePodAsync(CancellationToken cancellationToken)
    {
        await choosing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (chosenPod is not null)
            {
                return chosenPod;
            }

            var names = (await ListRunningPodsAsync(cancellationToken).ConfigureAwait(false)).Select(pod => pod.Metadata.Name).ToArray();
            if (names.Length == 0)
            {
                throw new BuildxException(
                    ErrorIds.KubernetesNoRunningPod,
                    BuildxErrorKind.ResourceUnavailable,
                    $"No BuildKit pod of {Namespace}/{WorkloadName} is running; start the builder with Start-BuildxBuilder, or look at the pods' events.",
                    WorkloadName);
            }

            chosenPod = Options.LoadBalance == KubernetesDriverOptions.Random
                ? PodChooser.ChooseRandom(names)
                : PodChooser.ChooseSticky(names, ContextPathHash ?? Environment.CurrentDirectory);
            return chosenPod;
        }
        finally
        {
            choosing.Release();
        }
    }

    private async Task CreateAsync(KubernetesObjects objects, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var core = connection.Client.CoreV1;
        foreach (var map in objects.ConfigMaps)
        {
            progress?.Report($"creating ConfigMap {Namespace}/{map.Metadata.Name}");
            try
            {
                await KubernetesCall.RunAsync(() => core.CreateNamespacedConfigMapAsync(map, Namespace, cancellationToken: cancellationToken), $"create ConfigMap {Namespace}/{map.Metadata.Name}", map.Metadata.Name).ConfigureAwait(false);
            }
            catch (BuildxException ex) when (KubernetesCall.Is(ex, HttpStatusCode.Conflict))
            {
                // As buildx: an existing ConfigMap is updated.
                await KubernetesCall.RunAsync(() => core.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, Namespace, cancellationToken: cancellationToken), $"update ConfigMap {Namespace}/{map.Metadata.Name}", map.Metadata.Name).ConfigureAwait(false);
            }
        }

        progress?.Report($"creating {objects.WorkloadKind} {Namespace}/{WorkloadName}");
        var apps = connection.Client.AppsV1;
        if (objects.StatefulSet is { } statefulSet)
        {
            await KubernetesCall.RunAsync(() => apps.CreateNamespacedStatefulSetAsync(statefulSet, Namespace, cancellationToken: cancellationToken), $"create StatefulSet {Namespace}/{WorkloadName}", WorkloadName).ConfigureAwait(false);
        }
        else
        {
            await KubernetesCall.RunAsync(() => apps.CreateNamespacedDeploymentAsync(objects.Deployment!, Namespace, cancellationToken: cancellationToken), $"create Deployment {Namespace}/{WorkloadName}", WorkloadName).ConfigureAwait(false);
        }
    }

    /// <summary>Rootless pods need the seccompProfile field, which Kubernetes has since 1.19.</summary>
    private async Task EnsureRootlessSupportedAsync(CancellationToken cancellationToken)
    {
        var version = await KubernetesCall.RunAsync(() => connection.Client.Version.GetCodeAsync(cancellationToken), "read the server version", WorkloadName).ConfigureAwait(false);
        static int Leading(string? text) => int.TryParse(new string((text ?? string.Empty).TakeWhile(char.IsAsciiDigit).ToArray()), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : 0;
        var (major, minor) = (Leading(version.Major), Leading(version.Minor));
        if (major == 1 && minor < 19)
        {
            throw new BuildxException(
                ErrorIds.KubernetesApiFailed,
                BuildxErrorKind.NotImplemented,
                $"rootless=true needs Kubernetes 1.19 or later (for the pod's seccompProfile); the cluster at {connection.Description} runs {version.GitVersion}. Drop the rootless option or use a newer cluster.",
                WorkloadName);
        }
    }

    private async Task ScaleAsync(CancellationToken cancellationToken)
    {
        var apps = connection.Client.AppsV1;
        if (Options.UsesStatefulSet)
        {
            var current = await KubernetesCall.RunAsync(() => apps.ReadNamespacedStatefulSetAsync(WorkloadName, Namespace, cancellationToken: cancellationToken), $"read StatefulSet {Namespace}/{WorkloadName}", WorkloadName).ConfigureAwait(false);
            current.Spec.Replicas = Options.Replicas;
            await KubernetesCall.RunAsync(() => apps.ReplaceNamespacedStatefulSetAsync(current, WorkloadName, Namespace, cancellationToken: cancellationToken), $"scale StatefulSet {Namespace}/{WorkloadName}", WorkloadName).ConfigureAwait(false);
        }
        else
        {
            var current = await KubernetesCall.RunAsync(() => apps.ReadNamespacedDeploymentAsync(WorkloadName, Namespace, cancellationToken: cancellationToken), $"read Deployment {Namespace}/{WorkloadName}", WorkloadName).ConfigureAwait(false);
            current.Spec.Replicas = Options.Replicas;
            await KubernetesCall.RunAsync(() => apps.ReplaceNamespacedDeploymentAsync(current, WorkloadName, Namespace, cancellationToken: cancellationToken), $"scale Deployment {Namespace}/{WorkloadName}", WorkloadName).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Polls every 100 ms until the ready replicas reach <c>replicas</c>, as buildx, bounded by the
    /// <c>timeout</c> option. Pod phases and events go to progress as they change; on timeout they
    /// make the error.
    /// </summary>
    private async Task WaitUntilReadyAsync(IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var timeoutText = FormatDuration(Options.Timeout);
        progress?.Report($"waiting for {Options.Replicas} pods to be ready, timeout: {timeoutText}");
        var deadline = DateTime.UtcNow + Options.Timeout;
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var lastProgress = DateTime.MinValue;
        while (true)
        {
            var ready = await ReadReadyReplicasAsync(cancellationToken).ConfigureAwait(false) ?? 0;
            if (ready >= Options.Replicas)
            {
                return;
            }

            if (progress is not null && DateTime.UtcNow - lastProgress >= ProgressInterval)
            {
                lastProgress = DateTime.UtcNow;
                foreach (var line in await DescribePodsAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (reported.Add(line))
                    {
                        progress.Report(line);
                    }
                }
            }

            if (DateTime.UtcNow >= deadline)
            {
                var details = await DescribePodsAsync(cancellationToken).ConfigureAwait(false);
                throw new BuildxException(
                    ErrorIds.KubernetesPodsNotReady,
                    BuildxErrorKind.OperationTimeout,
                    $"{ready} of {Options.Replicas} BuildKit pods of {Namespace}/{WorkloadName} were ready after {timeoutText} (driver option {KubernetesDriverOptions.TimeoutKey})."
                    + (details.Count > 0 ? "\n" + string.Join('\n', details) : string.Empty),
                    WorkloadName);
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One line per pod (phase and why) and per event of those pods.</summary>
    private async Task<IReadOnlyList<string>> DescribePodsAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var pod in (await ListPodsAsync(cancellationToken).ConfigureAwait(false)).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            var waiting = pod.Status?.Conditions?.FirstOrDefault(condition => condition.Status == "False" && condition.Reason is not null);
            lines.Add($"pod {pod.Metadata.Name}: {pod.Status?.Phase ?? "Unknown"}{(waiting is null ? string.Empty : $" ({waiting.Type} {waiting.Reason}: {waiting.Message})")}");
            var events = await KubernetesCall.RunAsync(
                () => connection.Client.CoreV1.ListNamespacedEventAsync(Namespace, fieldSelector: $"involvedObject.name={pod.Metadata.Name}", cancellationToken: cancellationToken),
                $"list the events of pod {Namespace}/{pod.Metadata.Name}",
                pod.Metadata.Name).ConfigureAwait(false);
            foreach (var item in events.Items)
            {
                lines.Add($"event {pod.Metadata.Name}: {item.Type} {item.Reason}: {item.Message}");
            }
        }

        return lines;
    }

    private async Task<IList<V1Pod>> ListPodsAsync(CancellationToken cancellationToken)
    {
        var selector = SelectorText();
        var pods = await KubernetesCall.RunAsync(
            () => connection.Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: selector, cancellationToken: cancellationToken),
            $"list the pods of {Namespace}/{WorkloadName}",
            WorkloadName).ConfigureAwait(false);
        return pods.Items;
    }

    private string SelectorText()
    {
        // The workload's selector: its labels plus app=<name>.
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { [KubernetesDriverOptions.AppLabel] = WorkloadName };
        foreach (var (key, value) in Options.Labels)
        {
            labels[key] = value;
        }

        return string.Join(',', labels.Select(pair => $"{pair.Key}={pair.Value}"));
    }

    /// <summary>The workload's ready replicas; null when it does not exist.</summary>
    private async Task<int?> ReadReadyReplicasAsync(CancellationToken cancellationToken)
    {
        var workload = await ReadWorkloadAsync(cancellationToken).ConfigureAwait(false);
        return workload?.Ready;
    }

    private async Task<(int Replicas, int Ready)?> ReadWorkloadAsync(CancellationToken cancellationToken)
    {
        var apps = connection.Client.AppsV1;
        if (Options.UsesStatefulSet)
        {
            var set = await KubernetesCall.RunOrNullAsync(() => apps.ReadNamespacedStatefulSetAsync(WorkloadName, Namespace, cancellationToken: cancellationToken), $"read StatefulSet {Namespace}/{WorkloadName}", WorkloadName).ConfigureAwait(false);
            return set is null ? null : (set.Spec.Replicas ?? 1, set.Status?.ReadyReplicas ?? 0);
        }

        var deployment = await KubernetesCall.RunOrNullAsync(() => apps.ReadNamespacedDeploymentAsync(WorkloadName, Namespace, cancellationToken: cancellationToken), $"read Deployment {Namespace}/{WorkloadName}", WorkloadName).ConfigureAwait(false);
        return deployment is null ? null : (deployment.Spec.Replicas ?? 1, deployment.Status?.ReadyReplicas ?? 0);
    }

    private static async Task IgnoreNotFoundAsync<T>(Func<Task<T>> call, string what)
    {
        try
        {
            await KubernetesCall.RunAsync(call, what, what).ConfigureAwait(false);
        }
        catch (BuildxException ex) when (KubernetesCall.Is(ex, HttpStatusCode.NotFound))
        {
        }
    }

    /// <summary>Go's duration spelling for messages, such as <c>2m0s</c> or <c>30s</c>.</summary>
    private static string FormatDuration(TimeSpan duration) =>
        duration.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m{duration.Seconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s");
}
