using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Exports;

/// <summary>
/// Turns requested outputs into the exporters sent to BuildKit, the way buildx does: <c>-Push</c>
/// and <c>-Load</c>, the <c>registry</c> and <c>cacheonly</c> aliases, attribute checks, the docker
/// driver's <c>moby</c> exporter, default load and refusals, destination checks, and the warning when
/// nothing is exported.
/// </summary>
public static class ExportPlanner
{
    public sealed record Plan(IReadOnlyList<PlannedExport> Exports, IReadOnlyList<string> Warnings);

    public static Plan Create(IReadOnlyList<ExportSpec> outputs, IReadOnlyList<string> tags, string driver, bool standardOutputAvailable) =>
        Create(outputs, tags, new ExportPlanOptions { Driver = driver, StandardOutputAvailable = standardOutputAvailable });

    public static Plan Create(IReadOnlyList<ExportSpec> outputs, IReadOnlyList<string> tags, ExportPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(options);
        var exports = new List<PlannedExport>();
        var warnings = new List<string>();
        var optedOut = false;
        foreach (var output in WithShorthands(outputs, options))
        {
            var attributes = ExportAttributeRules.Normalize(output);
            if (output.Type == ExportSpec.CacheOnly)
            {
                optedOut = true;
                continue;
            }

            exports.Add(PlanOne(output, attributes, tags, options) with { Requested = output.ToString() });
        }

        if (exports.Count(e => e.DestinationKind == ExportDestinationKind.Stream) > 1)
        {
            throw Invalid("multiple outputs are configured to write to the standard output", null);
        }

        if (exports.Count(e => e.DestinationKind == ExportDestinationKind.EngineLoad) > 1)
        {
            throw Invalid("more than one output loads into the Docker engine; keep one docker output without dest", null);
        }

        var paths = exports.Where(e => e.Path is not null).GroupBy(e => e.Path, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (paths is not null)
        {
            throw Invalid($"several outputs write to '{paths.Key}'; give each its own dest", null);
        }

        if (exports.Count == 0 && !optedOut)
        {
            if (options.Driver == DockerDriver.DriverName)
            {
                // The docker driver loads the result into the engine by default, as buildx does.
                exports.Add(new PlannedExport(ExportSpec.Moby, NameAttributes(tags), ExportDestinationKind.None, null) { Requested = "type=docker" });
            }
            else
            {
                warnings.Add($"No output specified with {options.Driver} driver. Build result will only remain in the build cache. To push result image into registry use -Push or to load image into docker use -Load.");
            }
        }

        return new Plan(exports, warnings);
    }

    /// <summary>
    /// buildx's <c>--push</c> pushes every image output (or adds one), <c>--load</c> adds a docker
    /// output unless one exists.
    /// </summary>
    private static List<ExportSpec> WithShorthands(IReadOnlyList<ExportSpec> outputs, ExportPlanOptions options)
    {
        var result = outputs.ToList();
        if (options.Push)
        {
            var images = 0;
            for (var i = 0; i < result.Count; i++)
            {
                if (result[i].Type is ExportSpec.Image or ExportSpec.Registry)
                {
                    var attributes = new Dictionary<string, string>(result[i].Attributes, StringComparer.Ordinal) { ["push"] = "true" };
                    attributes.TryAdd("unpack", "false");
                    result[i] = result[i] with { Attributes = attributes };
                    images++;
                }
            }

            if (images == 0)
            {
                result.Add(new ExportSpec(ExportSpec.Image, null, new Dictionary<string, string> { ["push"] = "true", ["unpack"] = "false" }));
            }
        }

        if (options.Load && !result.Any(o => o.Type == ExportSpec.Docker))
        {
            result.Add(new ExportSpec(ExportSpec.Docker, null, new Dictionary<string, string>()));
        }

        return result;
    }

    private static PlannedExport PlanOne(ExportSpec output, Dictionary<string, string> attributes, IReadOnlyList<string> tags, ExportPlanOptions options)
    {
        var dockerDriver = options.Driver == DockerDriver.DriverName;
        switch (output.Type)
        {
            case ExportSpec.Local:
                if (string.IsNullOrEmpty(output.Destination))
                {
                    throw Invalid("the local exporter needs a destination directory (dest=<dir>)", output);
                }

                if (output.Destination == ExportSpec.StandardOutput)
                {
                    throw Invalid("the local exporter writes a directory and cannot write to the standard output; use type=tar for dest=-", output);
                }

                if (File.Exists(output.Destination))
                {
                    throw Invalid($"the local exporter's destination '{output.Destination}' is a file; give a directory", output);
                }

                return new PlannedExport(ExportSpec.Local, attributes, ExportDestinationKind.Directory, Path.GetFullPath(output.Destination));
            case ExportSpec.Tar:
                return Tarball(ExportSpec.Tar, output, attributes, options.StandardOutputAvailable);
            case ExportSpec.Registry:
                attributes["push"] = "true";
                attributes.TryAdd("unpack", "false");
                return Image(output, attributes, tags, options);
            case ExportSpec.Image:
                return Image(output, attributes, tags, options);
            case ExportSpec.Docker when output.Destination is null && ExportAttributeRules.GetBool(attributes, "tar", true):
                // No dest: load into the engine. The docker driver's engine builds into its own store.
                AddNames(attributes, tags);
                return dockerDriver
                    ? Image(output, attributes, tags, options)
                    : new PlannedExport(ExportSpec.Docker, attributes, ExportDestinationKind.EngineLoad, null);
            default:
                if (dockerDriver && !options.EngineImageStore)
                {
                    throw NotSupported(output.Type == ExportSpec.Oci ? "OCI exporter" : "Docker exporter", output);
                }

                if (!ExportAttributeRules.GetBool(attributes, "tar", true))
                {
                    if (string.IsNullOrEmpty(output.Destination) || output.Destination == ExportSpec.StandardOutput)
                    {
                        throw Invalid($"the {output.Type} exporter with tar=false writes an OCI layout directory and needs dest=<dir>", output);
                    }

                    if (File.Exists(output.Destination))
                    {
                        throw Invalid($"the {output.Type} exporter with tar=false writes an OCI layout directory, and '{output.Destination}' is a file; give a directory", output);
                    }

                    // The daemon streams the tarball; the client unpacks it (see OciLayoutDirectoryTarget).
                    var layoutAttributes = AddNames(attributes, tags);
                    layoutAttributes.Remove("tar");
                    return new PlannedExport(output.Type, layoutAttributes, ExportDestinationKind.LayoutDirectory, Path.GetFullPath(output.Destination));
                }

                return Tarball(output.Type, output, AddNames(attributes, tags), options.StandardOutputAvailable);
        }
    }

    private static PlannedExport Image(ExportSpec output, Dictionary<string, string> attributes, IReadOnlyList<string> tags, ExportPlanOptions options)
    {
        AddNames(attributes, tags);
        var push = ExportAttributeRules.GetBool(attributes, "push", false);
        if (push && !attributes.ContainsKey("name"))
        {
            throw Invalid("tag is needed when pushing to registry: give -Tag or name=<image>", output);
        }

        if (options.Driver != DockerDriver.DriverName)
        {
            return new PlannedExport(ExportSpec.Image, attributes, ExportDestinationKind.None, null);
        }

        if (ExportAttributeRules.GetBool(attributes, "push-by-digest", false))
        {
            throw NotSupported("push-by-digest", output, "push-by-digest is currently not implemented for docker driver, please create a new builder instance");
        }

        if (attributes.Keys.FirstOrDefault(k => k.StartsWith("annotation-index", StringComparison.Ordinal)) is { } indexAnnotation)
        {
            throw NotSupported("index annotations", output, $"'{indexAnnotation}': index annotations are not supported for the docker driver, whose images have no index; use annotation.<key> or annotation-manifest.<key>");
        }

        if (options.EngineImageStore)
        {
            attributes["prefer-image-digest"] = "true";
        }

        return new PlannedExport(ExportSpec.Moby, attributes, ExportDestinationKind.None, null);
    }

    private static PlannedExport Tarball(string type, ExportSpec output, Dictionary<string, string> attributes, bool standardOutputAvailable)
    {
        var destination = string.IsNullOrEmpty(output.Destination) ? ExportSpec.StandardOutput : output.Destination;
        if (destination == ExportSpec.StandardOutput)
        {
            if (!standardOutputAvailable)
            {
                throw Invalid($"the {type} exporter would write to the standard output, which is not available here; give dest=<file>", output);
            }

            return new PlannedExport(type, attributes, ExportDestinationKind.Stream, null);
        }

        if (Directory.Exists(destination))
        {
            throw Invalid($"the {type} exporter's destination '{destination}' is a directory; give a file path", output);
        }

        return new PlannedExport(type, attributes, ExportDestinationKind.File, Path.GetFullPath(destination));
    }

    private static Dictionary<string, string> AddNames(Dictionary<string, string> attributes, IReadOnlyList<string> tags)
    {
        if (tags.Count > 0 && !attributes.ContainsKey("name"))
        {
            attributes["name"] = string.Join(',', tags);
        }

        return attributes;
    }

    private static Dictionary<string, string> NameAttributes(IReadOnlyList<string> tags) =>
        AddNames(new Dictionary<string, string>(StringComparer.Ordinal), tags);

    /// <summary>buildx's wording (<c>build/utils.go</c> notSupported), with what to do instead.</summary>
    private static BuildxException NotSupported(string feature, ExportSpec output, string? detail = null) => new(
        ErrorIds.OutputNotSupported,
        BuildxErrorKind.NotImplemented,
        $"Output '{output}': {detail ?? $"{feature} is not supported for the docker driver"}. Switch to a different driver (New-BuildxBuilder -Driver docker-container), or turn on the containerd image store in the engine, and try again. The docker driver accepts image, registry, docker (without dest), local, tar and cacheonly outputs.",
        output.ToString());

    private static BuildxException Invalid(string why, ExportSpec? output) => new(
        ErrorIds.InvalidOutput,
        BuildxErrorKind.InvalidArgument,
        $"Invalid output{(output is null ? string.Empty : $" '{output}'")}: {why}.",
        output?.ToString());
}
