using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Exports;

/// <summary>
/// Turns requested outputs into the exporters sent to BuildKit, the way buildx does: the
/// <c>registry</c> and <c>cacheonly</c> aliases, the docker driver's <c>moby</c> exporter and
/// default load, destination checks, and the warning when nothing is exported.
/// </summary>
public static class ExportPlanner
{
    public sealed record Plan(IReadOnlyList<PlannedExport> Exports, IReadOnlyList<string> Warnings);

    public static Plan Create(IReadOnlyList<ExportSpec> outputs, IReadOnlyList<string> tags, string driver, bool standardOutputAvailable)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(tags);
        var exports = new List<PlannedExport>();
        var warnings = new List<string>();
        var optedOut = false;
        foreach (var output in outputs)
        {
            if (output.Type == ExportSpec.CacheOnly)
            {
                optedOut = true;
                continue;
            }

            exports.Add(PlanOne(output, tags, driver, standardOutputAvailable));
        }

        if (exports.Count(e => e.DestinationKind == ExportDestinationKind.Stream) > 1)
        {
            throw Invalid("multiple outputs are configured to write to the standard output", null);
        }

        if (exports.Count == 0 && !optedOut)
        {
            if (driver == DockerDriver.DriverName)
            {
                // The docker driver loads the result into the engine by default, as buildx does.
                exports.Add(new PlannedExport(ExportSpec.Moby, NameAttributes(tags), ExportDestinationKind.None, null));
            }
            else
            {
                warnings.Add($"No output specified with {driver} driver. Build result will only remain in the build cache. To push result image into registry use -Push or to load image into docker use -Load.");
            }
        }

        return new Plan(exports, warnings);
    }

    private static PlannedExport PlanOne(ExportSpec output, IReadOnlyList<string> tags, string driver, bool standardOutputAvailable)
    {
        var attributes = new Dictionary<string, string>(output.Attributes, StringComparer.Ordinal);
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
                return Tarball(ExportSpec.Tar, output, attributes, standardOutputAvailable);
            case ExportSpec.Registry:
                attributes["push"] = "true";
                attributes.TryAdd("unpack", "false");
                return Image(output, attributes, tags, driver);
            case ExportSpec.Image:
                return Image(output, attributes, tags, driver);
            default:
                return Tarball(output.Type, output, AddNames(attributes, tags), standardOutputAvailable);
        }
    }

    private static PlannedExport Image(ExportSpec output, Dictionary<string, string> attributes, IReadOnlyList<string> tags, string driver)
    {
        AddNames(attributes, tags);
        if (attributes.TryGetValue("push", out var push) && push == "true" && !attributes.ContainsKey("name"))
        {
            throw Invalid("tag is needed when pushing to registry: give -Tag or name=<image>", output);
        }

        var type = driver == DockerDriver.DriverName ? ExportSpec.Moby : ExportSpec.Image;
        return new PlannedExport(type, attributes, ExportDestinationKind.None, null);
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

    private static BuildxException Invalid(string why, ExportSpec? output) => new(
        ErrorIds.InvalidOutput,
        BuildxErrorKind.InvalidArgument,
        $"Invalid output{(output is null ? string.Empty : $" '{output}'")}: {why}.",
        output?.ToString());
}
