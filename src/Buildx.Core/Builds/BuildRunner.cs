using System.Diagnostics;
using Buildx.Core.BuildKit;
using Buildx.Core.BuildKit.Protocol.Control;
using Buildx.Core.Builders;
using Buildx.Core.Configuration;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Exports;
using Buildx.Core.Session;
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
        var clock = Stopwatch.StartNew();
        var (contextPath, dockerfilePath) = ResolvePaths(request);
        var node = builder.Nodes[0];
        var plan = ExportPlanner.Create(request.Outputs, request.Tags, builder.Driver, request.StandardOutput is not null);
        foreach (var warning in plan.Warnings)
        {
            onEvent(new BuildWarningEvent(warning, null));
        }

        if (plan.Exports.Count > 1)
        {
            throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.NotImplemented,
                "Several outputs in one build are not supported yet; give one output per build.", null);
        }

        using var driver = drivers.Create(builder, node);
        if (driver is Drivers.Remote.RemoteDriver { SecurityWarning: { } insecure })
        {
            onEvent(new BuildWarningEvent(insecure, null));
        }

        await driver.EnsureRunningAsync(builder, node, cancellationToken).ConfigureAwait(false);

        using var client = new BuildkitClient(driver.Dialer, driver.EndpointDescription);
        var services = new GrpcServiceRegistry();
        new FileSyncService(new Dictionary<string, string>
        {
            ["context"] = contextPath,
            ["dockerfile"] = Path.GetDirectoryName(dockerfilePath)!,
        }, fileSyncChunkSize ?? FileSyncService.DefaultChunkSize).Register(services);
        // One slot per exporter, in Solve order: BuildKit names the target by that index.
        var targets = plan.Exports.Select(e => ToTarget(e, request)).ToList();
        var fileSend = new FileSendService(targets);
        if (targets.Any(t => t is not null))
        {
            fileSend.Register(services);
        }

        var sharedKey = Path.GetFileName(Path.TrimEndingDirectorySeparator(contextPath)) + ":" + LocalNodeId.GetOrCreate(buildxDirectory);
        var solve = CreateSolveRequest(request, dockerfilePath, builder.Driver, plan.Exports);
        var tracker = new BuildStatusTracker();

        await using var session = new BuildSession(sharedKey, services);
        using var buildCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sessionDialer = PreferControlSession ? null : driver.SessionDialer;
        await session.StartAsync(driver.Dialer, sessionDialer, buildCancellation.Token).ConfigureAwait(false);
        solve.Session = session.Id;

        var statusTask = FollowStatusAsync(client.Control, solve.Ref, tracker, onEvent, rawStatus, buildCancellation.Token);
        SolveResponse response;
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
            if (buildCancellation.IsCancellationRequested)
            {
                await WaitBrieflyAsync(statusTask).ConfigureAwait(false);
            }
        }

        await WaitBrieflyAsync(statusTask).ConfigureAwait(false);
        await fileSend.WhenTransfersCompleteAsync().WaitAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        if (fileSend.Transfers.FirstOrDefault(t => !t.Succeeded) is { } failedExport)
        {
            throw new BuildxException(ErrorIds.ExportFailed, BuildxErrorKind.InvalidOperation,
                $"The build succeeded but writing its output failed: {failedExport.Error?.Message}", failedExport.WrittenPath, failedExport.Error);
        }

        var exporterResponse = new Dictionary<string, string>(response.ExporterResponse, StringComparer.Ordinal)
        {
            ["buildx.build.ref"] = $"{builder.Name}/{node.Name}/{solve.Ref}",
        };
        var steps = tracker.Steps;
        return new BuildResult
        {
            Builder = builder.Name,
            Node = node.Name,
            Ref = solve.Ref,
            ExporterResponse = exporterResponse,
            ImageNames = ImageNamesOf(exporterResponse, plan.Exports),
            Outputs = fileSend.WrittenPaths.Distinct(StringComparer.Ordinal).ToArray(),
            Duration = clock.Elapsed,
            Steps = steps.OrderBy(s => s.Number).ToArray(),
            StepCount = steps.Count,
            CachedStepCount = steps.Count(s => s.Cached),
            Warnings = tracker.Warnings,
            SessionBytesSent = session.BytesSent,
            SessionBytesReceived = session.BytesReceived,
        };
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

    internal static SolveRequest CreateSolveRequest(BuildRequest request, string dockerfilePath, string driver, IReadOnlyList<PlannedExport> exports)
    {
        var solve = new SolveRequest
        {
            Ref = SessionIdentity.NewId(),
            Frontend = DockerfileFrontend,
        };
        var attrs = solve.FrontendAttrs;
        attrs["filename"] = Path.GetFileName(dockerfilePath);
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

        if (exports.Count > 0)
        {
            // Daemons before BuildKit v0.13 read only the single legacy exporter fields.
            solve.ExporterDeprecated = exports[0].Type;
            foreach (var (key, value) in exports[0].Attributes)
            {
                solve.ExporterAttrsDeprecated[key] = value;
            }

        }

        return solve;
    }

    private static ExportTarget? ToTarget(PlannedExport export, BuildRequest request) => export.DestinationKind switch
    {
        ExportDestinationKind.Directory => new DirectoryExportTarget(export.Path!, removeExtraneous: export.Attributes.TryGetValue("mode", out var mode) && mode == "delete"),
        ExportDestinationKind.File => new FileExportTarget(export.Path!),
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
