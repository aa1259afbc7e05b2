using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Buildx.Core.Exports;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes exporter types, each with what it produces.</summary>
public sealed class OutputTypeCompleter : IArgumentCompleter
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

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return ExportSpec.KnownTypes
            .Where(type => type.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(type => new CompletionResult(type, type, CompletionResultType.ParameterValue, Descriptions[type]));
    }
}
