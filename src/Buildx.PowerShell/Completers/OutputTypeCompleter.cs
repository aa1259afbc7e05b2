using System.Collections;
using Buildx.Core.Exports;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes exporter types, each with what it produces.</summary>
public sealed class OutputTypeCompleter : PrefixCompleter
{
    private static readonly Dictionary<string, string> Descriptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ExportSpec.Image] = "An image in the builder's image store (the engine's, with the docker driver); push=true pushes it.",
        [ExportSpec.Registry] = "An image pushed to its registry (image with push=true).",
        [ExportSpec.Local] = "The result's files in a directory (dest).",
        [ExportSpec.Tar] = "The result's files in a tarball (dest, or - for the pipeline).",
        [ExportSpec.Oci] = "An OCI image layout tarball (dest, or - for the pipeline).",
        [ExportSpec.Docker] = "A docker-archive tarball (dest), or loaded into the Docker engine without dest.",
        [ExportSpec.CacheOnly] = "Nothing exported: the result stays in the build cache.",
    };

    protected override IEnumerable<(string Value, string Tooltip)> Candidates(string parameterName, IDictionary? fakeBoundParameters) =>
        ExportSpec.KnownTypes.Select(type => (type, Descriptions[type]));
}
