using System.Diagnostics;
using Buildx.Core.BuildKit;
using Buildx.Core.BuildKit.Protocol.Control;
using Buildx.Core.Builders;
using Buildx.Core.Builds.Options;
using Buildx.Core.Configuration;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Exports;
using Buildx.Core.Docker;
using Buildx.Core.Registry;
using Buildx.Core.Session;
using Buildx.Core.Session.Auth;
using Buildx.Core.Session.FileSend;
using Buildx.Core.Session.FileSync;
using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Builds;

/// <summary>
/// Runs one Dockerfile build on a builder node: checks the request, opens the session that
/// serves the context and receives exports, sends Solve with the dockerfile frontend, follows
/// Status, and turns the outcome into a <see cref="BuildResult"/> or a clear error.
/// </summary>
public sealed class BuildRunner(DriverFactory drivers, string buildxDirectory)
{
    internal const string DockerfileFrontend = "dockerfile.v0";

    /// <summary>
    /// Opens sessions with <c>Control.Session</c> even when the driver has its own session upgrade:
    /// tests use it to run that path against the docker driver's engine.
    /// </summary>
    internal bool PreferControlSession { get; init; }

    /// <summary>Where the Docker config (registry logins) and the current Docker context come from.</summary>
    public IEnvironment Environment { get; init; } = ProcessEnvironment.Instance;

    public async Task<BuildResult> RunAsync(
        BuilderDefinition builder,
        BuildRequest request,
        Action<BuildEvent> onEvent,
        bool rawStatus,
        CancellationToken cancellationToken,
        int? fileSyncChunkSize = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onEvent);
        if (request.Platforms.Count > 0 && builder.Nodes.Count > 1)
        {
            return await new MultiNodeBuild(this, drivers).RunAsync(builder, request, onEvent, rawStatus, cancellationToken).ConfigureAwait(false);
        }

        var clock = Stopwatch.StartNew();
        request = DefaultLoad.Apply(request, builder.Driver, builder.Nodes[0]);
        Entitlement.CheckLocalDelete(request.Outputs, request.Options.Entitlements, request.WorkingDirectory ?? System.Environment.CurrentDirectory);
        // Outputs are checked first, before anything connects, except what depends on the engine's image store.
        var planOptions = new ExportPlanOptions { Driver = builder.Driver, StandardOutputAvailable = request.StandardOutput is not null, Load = request.Load, Push = request.Push };
        ExportPlanner.Create(request.Outputs, request.Tags, planOptions with { EngineImageStore = true });
        var (contextPath, dockerfilePath) = ResolvePaths(request);
        var node = builder.Nodes[0];
        BuildOptionsPlanner.Validate(request.Options, builder.Driver);
        using var optionServices = await BuildOptionsServices.CreateAsync(request.Options, w => onEvent(new BuildWarningEvent(w, null)), cancellationToken).ConfigureAwait(false);
        request = request with { Options = optionServices.Options };

        using var driver = drivers.Create(builder, node);
        if (driver is Drivers.Remote.RemoteDriver { SecurityWarning: { } insecure })
        {
            onEvent(new BuildWarningEvent(insecure, null));
        }

        if (driver is KubernetesDriver kubernetes)
        {
            // buildx's sticky key: the absolute context path picks the pod.
            kubernetes.ContextPathHash = contextPath;
        }

        await driver.EnsureBootedAsync(builder, node, new ClientMessageProgress(onEvent), cancellationToken).ConfigureAwait(false);
        if (driver is DockerDriver docker)
        {
            var info = await docker.Engine.GetInfoAsync(cancellationToken).ConfigureAwait(false);
            planOptions = planOptions with { EngineImageStore = info.UsesContainerdImageStore };
        }

        var plan = ExportPlanner.Create(request.Outputs, request.Tags, planOptions);
        foreach (var warning in plan.Warnings)
        {
            onEvent(new BuildWarningEvent(warning, null));
        }

        using var client = new BuildkitClient(driver.Dialer, driver.EndpointDescription);
        request = request with { Options = await HostGatewayAddress.ResolveAsync(request.Options, client, cancellationToken).ConfigureAwait(false) };
        // The daemon is asked its version only when something depends on it.
        var provenanceCandidate = DefaultProvenance.IsCandidate(request.Options, builder.Driver, planOptions.EngineImageStore, Environment);
        var features = plan.Exports.Count > 1 || provenanceCandidate
            ? await DaemonFeatures.ReadAsync(client, driver, cancellationToken).ConfigureAwait(false)
            : new DaemonFeatures(Version: null);
        var defaultProvenance = provenanceCandidate && features.HasAttestations;
        // One solve with every exporter where BuildKit takes several; else one solve per output, the later ones from the cache.
        var together = plan.Exports.Count <= 1 || features.TakesSeveralExporters;
        var groups = together ? [plan.Exports] : plan.Exports.Select(e => (IReadOnlyList<PlannedExport>)[e]).ToList();
        var credentials = new RegistryCredentialStore(Environment, request.RegistryCredentials);
        var solves = new List<SolveOutcome>();
        foreach (var group in groups)
        {
            solves.Add(await SolveAsync(builder, node, driver, client, request, contextPath, dockerfilePath, group, defaultProvenance, credentials, optionServices, onEvent, rawStatus, fileSyncChunkSize, cancellationToken).ConfigureAwait(false));
        }

        var exports = new List<ExportResult>();
        foreach (var solve in solves)
        {
            foreach (var (export, index) in solve.Exports.Select((e, i) => (e, i)))
            {
                var pushed = export.Type == ExportSpec.Moby && export.Pushes
                    ? await EnginePush.PushAsync(((DockerDriver)driver).Engine, export.Names, credentials, onEvent, cancellationToken).ConfigureAwait(false)
                    : export.Pushes ? export.Names : [];
                exports.Add(ExportResults.Create(export, solve.ResponseFor(index), solve.PathFor(index), pushed, solve.Loaded));
            }
        }

        var first = solves[0];
        var exporterResponse = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var solve in solves)
        {
            foreach (var (key, value) in solve.Response)
            {
                exporterResponse.TryAdd(key, value);
            }
        }

        exporterResponse["buildx.build.ref"] = $"{builder.Name}/{node.Name}/{first.Ref}";
        var steps = first.Tracker.Steps;
        return new BuildResult
        {
            Builder = builder.Name,
            Node = node.Name,
            Ref = first.Ref,
            ExporterResponse = exporterResponse,
            ImageNames = ImageNamesOf(exporterResponse, plan.Exports),
            Outputs = solves.SelectMany(s => s.FileSend.WrittenPaths).Distinct(StringComparer.Ordinal).ToArray(),
            Exports = exports,
            SolveCount = solves.Count,
            Duration = clock.Elapsed,
            Steps = steps.OrderBy(s => s.Number).ToArray(),
            StepCount = steps.Count,
            CachedStepCount = steps.Count(s => s.Cached),
            Warnings = solves.SelectMany(s => s.Tracker.Warnings).Distinct().ToArray(),
            SessionBytesSent = solves.Sum(s => s.BytesSent),
            SessionBytesReceived = solves.Sum(s => s.BytesReceived),
            Platforms = request.Platforms.Select(p => new PlatformBuildResult(p, node.Name, request.Platforms.Count == 1 ? exporterResponse.GetValueOrDefault("containerimage.digest") : null)).ToArray(),
        };
    }

    /// <summary>One Solve with its own session: sends the context, receives these exporters' outputs.</summary>
    private async Task<SolveOutcome> SolveAsync(
        BuilderDefinition builder,
        NodeDefinition node,
        IDriver driver,
        BuildkitClient client,
        BuildRequest request,
        string contextPath,
        string dockerfilePath,
        IReadOnlyList<PlannedExport> exports,
        bool defaultProvenance,
        RegistryCredentialStore credentials,
        BuildOptionsServices optionServices,
        Action<BuildEvent> onEvent,
        bool rawStatus,
        int? fileSyncChunkSize,
        CancellationToken cancellationToken)
    {
        var services = new GrpcServiceRegistry();
        var localDirectories = new Dictionary<string, string>
        {
            ["context"] = contextPath,
            ["dockerfile"] = Path.GetDirectoryName(dockerfilePath)!,
        };
        foreach (var (name, path) in BuildOptionsPlanner.LocalDirectories(request.Options))
        {
            localDirectories[name] = path;
        }

        new FileSyncService(localDirectories, fileSyncChunkSize ?? FileSyncService.DefaultChunkSize).Register(services);
        optionServices.Register(services);
        new AuthService(credentials).Register(services);
        using var engineLoad = exports.Any(e => e.DestinationKind == ExportDestinationKind.EngineLoad)
            ? new EngineImageLoad(new DockerEngineClient(new DockerContextResolver(Environment).ResolveCurrent()), cancellationToken)
            : null;
        // One slot per exporter, in Solve order: BuildKit names the target by that index.
        var targets = exports.Select(e => ToTarget(e, request, engineLoad)).ToList();
        var fileSend = new FileSendService(targets);
        if (targets.Any(t => t is not null))
        {
            fileSend.Register(services);
        }

        var sharedKey = Path.GetFileName(Path.TrimEndingDirectorySeparator(contextPath)) + ":" + LocalNodeId.GetOrCreate(buildxDirectory);
        var solve = CreateSolveRequest(request, dockerfilePath, builder.Driver, exports, defaultProvenance);
        var tracker = new BuildStatusTracker();

        await using var session = new BuildSession(sharedKey, services);
        using var buildCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sessionDialer = PreferControlSession ? null : driver.SessionDialer;
        await session.StartAsync(driver.Dialer, sessionDialer, buildCancellation.Token).ConfigureAwait(false);
        solve.Session = session.Id;

        var statusTask = FollowStatusAsync(client.Control, solve.Ref, tracker, onEvent, rawStatus, buildCancellation.Token);
        SolveResponse? response = null;
        try
        {
            response = await client.Control.SolveAsync(solve, cancellationToken: buildCancellation.Token).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The build was cancelled.", ex, cancellationToken);
        }
        catch (RpcException ex)
        {
            await WaitBrieflyAsync(statusTask).ConfigureAwait(false);
            throw BuildFailureTranslator.Translate(ex, tracker, client, session.ServerError);
        }
        finally
        {
            if (response is null)
            {
                // A failed or cancelled solve leaves every local cache dest as it was.
                optionServices.CacheExports.Abandon();
            }

            if (buildCancellation.IsCancellationRequested)
            {
                await WaitBrieflyAsync(statusTask).ConfigureAwait(false);
            }
        }

        optionServices.CacheExports.Complete(response.ExporterResponse, w => onEvent(new BuildWarningEvent(w, null)));
        await WaitBrieflyAsync(statusTask).ConfigureAwait(false);
        await fileSend.WhenTransfersCompleteAsync().WaitAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        if (fileSend.Transfers.FirstOrDefault(t => !t.Succeeded) is { } failedExport)
        {
            throw new BuildxException(ErrorIds.ExportFailed, BuildxErrorKind.InvalidOperation,
                $"The build succeeded but writing its output failed: {failedExport.Error?.Message}", failedExport.WrittenPath, failedExport.Error);
        }

        var loaded = false;
        if (engineLoad is not null)
        {
            foreach (var line in await engineLoad.CompleteAsync().ConfigureAwait(false))
            {
                onEvent(new ClientMessageEvent(line));
                loaded = true;
            }
        }

        return new SolveOutcome(solve.Ref, exports, new Dictionary<string, string>(response.ExporterResponse, StringComparer.Ordinal), tracker, fileSend, session.BytesSent, session.BytesReceived, loaded);
    }

    /// <summary>The engine's moby exporter reports no names, so fall back to the names requested.</summary>
    private static string[] ImageNamesOf(Dictionary<string, string> response, IReadOnlyList<PlannedExport> exports)
    {
        var names = response.TryGetValue("image.name", out var reported) && reported.Length > 0
            ? reported
            : exports.Select(e => e.Attributes.GetValueOrDefault("name")).FirstOrDefault(n => !string.IsNullOrEmpty(n));
        return string.IsNullOrEmpty(names) ? [] : names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    internal static (string Context, string Dockerfile) ResolvePaths(BuildRequest request)
    {
        var context = Path.GetFullPath(request.ContextPath);
        if (!Directory.Exists(context))
        {
            throw new BuildxException(ErrorIds.BuildContextNotFound, BuildxErrorKind.ObjectNotFound,
                $"The build context '{request.ContextPath}' is not a directory.", request.ContextPath);
        }

        var dockerfile = string.IsNullOrEmpty(request.DockerfilePath)
            ? Path.Combine(context, "Dockerfile")
            : Path.GetFullPath(request.DockerfilePath);
        if (!File.Exists(dockerfile))
        {
            throw new BuildxException(ErrorIds.DockerfileNotFound, BuildxErrorKind.ObjectNotFound,
                $"The Dockerfile '{dockerfile}' does not exist. Give its path with -File, or put a Dockerfile in the context '{context}'.", dockerfile);
        }

        return (context, dockerfile);
    }

    internal static SolveRequest CreateSolveRequest(BuildRequest request, string dockerfilePath, string driver, IReadOnlyList<PlannedExport> exports, bool defaultProvenance = false)
    {
        var solve = new SolveRequest
        {
            Ref = SessionIdentity.NewId(),
            Frontend = DockerfileFrontend,
        };
        var attrs = solve.FrontendAttrs;
        attrs["filename"] = Path.GetFileName(dockerfilePath);
        if (request.Platforms.Count > 0)
        {
            attrs["platform"] = string.Join(',', request.Platforms);
        }

        if (!string.IsNullOrEmpty(request.Target))
        {
            attrs["target"] = request.Target;
        }

        foreach (var (key, value) in request.BuildArgs)
        {
            attrs["build-arg:" + key] = value;
        }

        foreach (var (key, value) in request.Labels)
        {
            attrs["label:" + key] = value;
        }

        if (request.NoCache)
        {
            attrs["no-cache"] = string.Empty;
        }

        if (driver == DockerDriver.DriverName)
        {
            // The engine's own images come first, as buildx does for the docker driver.
            attrs["image-resolve-mode"] = "local";
        }

        foreach (var export in exports)
        {
            var exporter = new Exporter { Type = export.Type };
            foreach (var (key, value) in export.Attributes)
            {
                exporter.Attrs[key] = value;
            }

            solve.Exporters.Add(exporter);
        }

        if (exports.Count == 1)
        {
            // Daemons before BuildKit v0.13 read only the single legacy exporter fields; several
            // exporters are only sent together to daemons that read Exporters.
            solve.ExporterDeprecated = exports[0].Type;
            foreach (var (key, value) in exports[0].Attributes)
            {
                solve.ExporterAttrsDeprecated[key] = value;
            }

        }

        BuildOptionsPlanner.Apply(solve, request.Options);
        if (defaultProvenance)
        {
            attrs[DefaultProvenance.Attribute] = DefaultProvenance.Value;
        }

        return solve;
    }

    private static ExportTarget? ToTarget(PlannedExport export, BuildRequest request, EngineImageLoad? engineLoad) => export.DestinationKind switch
    {
        ExportDestinationKind.EngineLoad => engineLoad!.Target,
        ExportDestinationKind.Directory => new DirectoryExportTarget(export.Path!, removeExtraneous: export.Attributes.TryGetValue("mode", out var mode) && mode == "delete"),
        ExportDestinationKind.File => new FileExportTarget(export.Path!),
        ExportDestinationKind.LayoutDirectory => new OciLayoutDirectoryTarget(export.Path!),
        ExportDestinationKind.Stream => StreamExportTarget.ForStream(request.StandardOutput!),
        _ => null,
    };

    private static async Task FollowStatusAsync(
        Control.ControlClient control,
        string buildRef,
        BuildStatusTracker tracker,
        Action<BuildEvent> onEvent,
        bool rawStatus,
        CancellationToken cancellationToken)
    {
        try
        {
            using var call = control.Status(new StatusRequest { Ref = buildRef }, cancellationToken: cancellationToken);
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                foreach (var buildEvent in tracker.Apply(call.ResponseStream.Current, rawStatus))
                {
                    onEvent(buildEvent);
                }
            }
        }
        catch (RpcException)
        {
            // Status ends with the build; a failed build's error comes from Solve.
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WaitBrieflyAsync(Task task) => await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
}
