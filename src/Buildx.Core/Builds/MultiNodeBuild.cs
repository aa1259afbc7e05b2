using System.Diagnostics;
using Buildx.Core.Builders;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Exports;
using Buildx.Core.Registry;

namespace Buildx.Core.Builds;

/// <summary>
/// A multi-platform build on a builder with several nodes: each platform goes to the node that
/// can build it (<see cref="PlatformAssignment"/>), the nodes solve in parallel, and the results
/// come together. Local exports get one directory per platform; image outputs are pushed by
/// digest by each node and joined into one index that the tags point at, only once every node
/// succeeded. One node failing cancels the others and tags nothing.
/// </summary>
internal sealed class MultiNodeBuild(BuildRunner runner, DriverFactory drivers)
{
    public async Task<BuildResult> RunAsync(BuilderDefinition builder, BuildRequest request, Action<BuildEvent> onEvent, bool rawStatus, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var assignments = await AssignAsync(builder, request, cancellationToken).ConfigureAwait(false);
        var pushedNames = PushedNames(request);
        // Every node's request is made (and its outputs checked) before any node starts.
        var ociOutput = request.Outputs.FirstOrDefault(o => o.Type == ExportSpec.Oci);
        var ociParts = ociOutput is null ? null : assignments.ToDictionary(a => a.Node, a => new OciLayoutPart(Path.Combine(Path.GetTempPath(), $"buildx-oci-{Guid.NewGuid():N}.tar"), a.Platforms));
        var nodeRequests = assignments.Select(assignment => (assignment, request: request with
        {
            Platforms = assignment.Platforms,
            Outputs = request.Outputs.Select(o => ForNode(o, assignment, pushedNames, ociParts?[assignment.Node].TarballPath)).ToArray(),
            Tags = pushedNames.Length > 0 ? [] : request.Tags,
        })).ToList();
        try
        {
            return await RunNodesAsync(builder, request, nodeRequests, pushedNames, ociOutput, ociParts?.Values.ToList(), onEvent, rawStatus, clock, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var part in ociParts?.Values.ToList() ?? [])
            {
                File.Delete(part.TarballPath);
            }
        }
    }

    private async Task<BuildResult> RunNodesAsync(
        BuilderDefinition builder,
        BuildRequest request,
        List<(NodeAssignment assignment, BuildRequest request)> nodeRequests,
        string[] pushedNames,
        ExportSpec? ociOutput,
        List<OciLayoutPart>? ociParts,
        Action<BuildEvent> onEvent,
        bool rawStatus,
        Stopwatch clock,
        CancellationToken cancellationToken)
    {
        var relay = new NodeEventRelay(onEvent);
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var runs = nodeRequests.Select(n => RunNodeAsync(builder, n.request, n.assignment, relay, rawStatus, failFast)).ToList();
        try
        {
            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The first node to fail is the cause; the others were cancelled because of it.
            var first = runs.Where(r => r.IsFaulted).Select(r => r.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null)
            {
                throw first;
            }

            throw;
        }

        var results = runs.Select(r => r.Result).ToList();
        if (ociOutput is not null)
        {
            await OciLayoutMerger.MergeAsync(ociParts!, OciImageName(ociOutput, request), OciDestination(ociOutput, request), cancellationToken).ConfigureAwait(false);
        }

        AssembledIndex? index = null;
        if (pushedNames.Length > 0)
        {
            index = await AssembleAsync(results, pushedNames, request, cancellationToken).ConfigureAwait(false);
        }

        return Merge(builder, results, index, relay, clock.Elapsed);
    }

    private async Task<IReadOnlyList<NodeAssignment>> AssignAsync(BuilderDefinition builder, BuildRequest request, CancellationToken cancellationToken)
    {
        var loaded = (await new BuilderLoader(drivers).LoadAsync([builder], null, BuilderLoader.DefaultTimeout, cancellationToken).ConfigureAwait(false))[0];
        var nodes = loaded.Nodes
            .Select(n => new NodePlatforms(n.Name, n.DeclaredPlatforms, n.Platforms.Except(n.DeclaredPlatforms, StringComparer.Ordinal).ToArray()))
            .ToList();
        return PlatformAssignment.Assign(builder.Name, request.Platforms, nodes);
    }

    private async Task<NodeRun> RunNodeAsync(
        BuilderDefinition builder,
        BuildRequest nodeRequest,
        NodeAssignment assignment,
        NodeEventRelay relay,
        bool rawStatus,
        CancellationTokenSource failFast)
    {
        var node = builder.Nodes.First(n => n.Name == assignment.Node);
        try
        {
            var result = await runner.RunAsync(builder with { Nodes = [node] }, nodeRequest, relay.For(assignment.Node, assignment.Platforms), rawStatus, failFast.Token).ConfigureAwait(false);
            return new NodeRun(assignment, result);
        }
        catch (BuildxException ex)
        {
            await failFast.CancelAsync().ConfigureAwait(false);
            throw new BuildxException(ex.ErrorId, ex.Kind,
                $"Building {string.Join(", ", assignment.Platforms)} on node '{assignment.Node}' failed: {ex.Message}", ex.Target, ex);
        }
        catch
        {
            await failFast.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The output as one node writes it: its own directory per platform, image pushes by digest.</summary>
    private static ExportSpec ForNode(ExportSpec output, NodeAssignment assignment, string[] pushedNames, string? ociTarball)
    {
        switch (output.Type)
        {
            case ExportSpec.Oci:
                // Each node writes its own tarball; the module joins them into the layout asked for.
                var ociAttributes = output.Attributes.Where(a => a.Key != "tar").ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
                return output with { Destination = ociTarball, Attributes = ociAttributes };
            case ExportSpec.Local when output.Destination is not null && assignment.Platforms.Count == 1:
                // A node that builds several platforms gets BuildKit's own per-platform split; match it.
                return output with { Destination = Path.Combine(output.Destination, PlatformDirectory(assignment.Platforms[0])) };
            case ExportSpec.Tar or ExportSpec.Docker:
                throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.InvalidArgument,
                    $"Invalid output '{output}': the platforms of this build run on several nodes, which cannot write one {output.Type} tarball together. Use type=oci (one multi-platform OCI layout), type=local (one directory per platform) or push to a registry (type=registry).",
                    output.ToString());
            case ExportSpec.Image or ExportSpec.Registry when IsPush(output):
                var attributes = new Dictionary<string, string>(output.Attributes, StringComparer.Ordinal)
                {
                    ["push-by-digest"] = "true",
                    ["name"] = string.Join(',', pushedNames.Select(n => ImageReference.Parse(n).Repository)),
                };
                return output with { Attributes = attributes };
            default:
                return output;
        }
    }

    private static string? OciImageName(ExportSpec output, BuildRequest request) =>
        output.Attributes.TryGetValue("name", out var name) && name.Length > 0 ? name.Split(',')[0] : request.Tags.Count > 0 ? request.Tags[0] : null;

    private static OciLayoutDestination OciDestination(ExportSpec output, BuildRequest request)
    {
        if (output.Attributes.TryGetValue("tar", out var tar) && bool.TryParse(tar, out var asTar) && !asTar)
        {
            return OciLayoutDestination.Directory(output.Destination!);
        }

        return output.Destination is null or ExportSpec.StandardOutput
            ? OciLayoutDestination.Stream(request.StandardOutput ?? throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.InvalidArgument,
                $"Invalid output '{output}': the oci exporter would write to the standard output, which is not available here; give dest=<file>.", output.ToString()))
            : OciLayoutDestination.Tarball(output.Destination);
    }

    /// <summary>BuildKit's directory name for a platform in a split export: <c>linux_arm_v7</c>.</summary>
    internal static string PlatformDirectory(string platform) => platform.Replace('/', '_');

    private static bool IsPush(ExportSpec output) =>
        output.Type == ExportSpec.Registry || (output.Attributes.TryGetValue("push", out var push) && bool.TryParse(push, out var value) && value);

    /// <summary>The names an image output pushes to: its own <c>name</c>, else the tags.</summary>
    private static string[] PushedNames(BuildRequest request)
    {
        var push = request.Outputs.FirstOrDefault(o => o.Type is ExportSpec.Image or ExportSpec.Registry && IsPush(o));
        if (push is null)
        {
            return [];
        }

        var names = push.Attributes.TryGetValue("name", out var named) && named.Length > 0
            ? named.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : request.Tags.ToArray();
        if (names.Length == 0)
        {
            throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.InvalidArgument,
                $"Invalid output '{push}': tag is needed when pushing to registry: give -Tag or name=<image>.", push.ToString());
        }

        return names;
    }

    private async Task<AssembledIndex> AssembleAsync(IReadOnlyList<NodeRun> runs, IReadOnlyList<string> names, BuildRequest request, CancellationToken cancellationToken)
    {
        var tags = names.Select(ImageReference.Parse).ToList();
        var images = new List<PlatformImage>();
        foreach (var run in runs)
        {
            if (run.Result.ImageDigest is not { Length: > 0 } digest)
            {
                throw new BuildxException(ErrorIds.ExportFailed, BuildxErrorKind.ProtocolError,
                    $"Node '{run.Assignment.Node}' pushed {string.Join(", ", run.Assignment.Platforms)} but reported no digest; the index was not written and no tag was changed.", run.Assignment.Node);
            }

            var platform = Store.PlatformSpecifier.Normalize(Store.PlatformSpecifier.Parse(run.Assignment.Platforms[0]));
            images.Add(new PlatformImage(platform, tags[0].WithDigest(digest)));
        }

        var push = request.Outputs.First(o => o.Type is ExportSpec.Image or ExportSpec.Registry && IsPush(o));
        bool? oci = push.Attributes.TryGetValue("oci-mediatypes", out var value) && bool.TryParse(value, out var parsed) ? parsed : null;
        var annotations = push.Attributes
            .Where(a => a.Key.StartsWith("annotation-index.", StringComparison.Ordinal))
            .ToDictionary(a => a.Key["annotation-index.".Length..], a => a.Value, StringComparer.Ordinal);
        // The same logins the nodes' sessions serve: -Credential first, then the Docker config.
        var logins = new RegistryCredentialStore(runner.Environment, request.RegistryCredentials);
        using var registry = new RegistryClient(
            (host, token) => new ValueTask<RegistryCredential?>(logins.GetAsync(RegistryHost.Normalize(host), token)),
            Insecure(push, tags));
        return await new ImageIndexAssembler(registry).AssembleAsync(images, tags, oci, annotations, cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<string> Insecure(ExportSpec push, IReadOnlyList<ImageReference> tags) =>
        push.Attributes.TryGetValue("registry.insecure", out var insecure) && insecure == "true" ? tags.Select(t => t.ApiHost) : [];

    private static BuildResult Merge(BuilderDefinition builder, IReadOnlyList<NodeRun> runs, AssembledIndex? index, NodeEventRelay relay, TimeSpan duration)
    {
        var response = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            foreach (var (key, value) in run.Result.ExporterResponse)
            {
                response.TryAdd(key, value);
            }
        }

        response["buildx.build.ref"] = string.Join(",", runs.Select(r => r.Result.ExporterResponse.GetValueOrDefault("buildx.build.ref")));
        if (index is not null)
        {
            response["containerimage.digest"] = index.Digest;
            response["image.name"] = string.Join(",", index.Tags);
        }

        var platforms = runs.SelectMany(run => run.Assignment.Platforms.Select(platform => new PlatformBuildResult(
            platform,
            run.Assignment.Node,
            ManifestDigest(run, platform, index)))).ToArray();
        var steps = runs.SelectMany(run => run.Result.Steps.Select(step => relay.Map(run.Assignment.Node, run.Assignment.Platforms, step))).OrderBy(s => s.Number).ToArray();
        return new BuildResult
        {
            Builder = builder.Name,
            Node = string.Join(",", runs.Select(r => r.Assignment.Node)),
            Ref = string.Join(",", runs.Select(r => r.Result.Ref)),
            ExporterResponse = response,
            ImageNames = index?.Tags ?? runs.SelectMany(r => r.Result.ImageNames).Distinct(StringComparer.Ordinal).ToArray(),
            Outputs = runs.SelectMany(r => r.Result.Outputs).Distinct(StringComparer.Ordinal).ToArray(),
            Duration = duration,
            Steps = steps,
            StepCount = steps.Length,
            CachedStepCount = steps.Count(s => s.Cached),
            Warnings = runs.SelectMany(r => r.Result.Warnings).ToArray(),
            SessionBytesSent = runs.Sum(r => r.Result.SessionBytesSent),
            SessionBytesReceived = runs.Sum(r => r.Result.SessionBytesReceived),
            Platforms = platforms,
        };
    }

    private static string? ManifestDigest(NodeRun run, string platform, AssembledIndex? index)
    {
        if (index is null)
        {
            return null;
        }

        return run.Assignment.Platforms.Count == 1
            ? run.Result.ImageDigest
            : index.Manifests.FirstOrDefault(m => Store.PlatformSpecifier.Format(m.Platform) == platform)?.Digest;
    }

    private sealed record NodeRun(NodeAssignment Assignment, BuildResult Result);
}
