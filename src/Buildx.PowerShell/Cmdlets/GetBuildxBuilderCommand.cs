using System.Management.Automation;
using Buildx.Core.Builders;
using Buildx.Core.Errors;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Lists builders with their nodes' status, like <c>docker buildx ls</c> and <c>inspect</c>.
/// Nodes load in parallel under <see cref="Timeout"/>; a node that cannot be reached is reported
/// with status Error and a non-terminating error, so one dead builder never hides the others.
/// </summary>
[Cmdlet(VerbsCommon.Get, "BuildxBuilder")]
[OutputType(typeof(Builder))]
public sealed class GetBuildxBuilderCommand : BuildxCmdlet
{
    private readonly List<string> names = [];

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = BuilderLoader.DefaultTimeout;

    /// <summary>Start the builders first, as <c>docker buildx inspect --bootstrap</c>.</summary>
    [Parameter]
    public SwitchParameter Bootstrap { get; set; }

    protected override void ProcessRecord()
    {
        if (Name is not null)
        {
            names.AddRange(Name);
        }
    }

    protected override void EndProcessing()
    {
        var all = Invoke(() => Services.Catalog.List());
        var selected = names.Count == 0 ? [.. all] : SelectBuilders(all, names);
        if (selected.Count == 0)
        {
            return;
        }

        if (Bootstrap)
        {
            // A Docker context's builder is the engine's own BuildKit: there is nothing to start.
            foreach (var builder in selected.Where(b => !b.IsDockerContext))
            {
                TryAwait(RunReporting(
                    progress => Services.Builders.BootstrapAsync(builder, progress, BuilderManager.DefaultBootstrapTimeout, CancellationToken),
                    $"Starting builder {builder.Name}"));
            }
        }

        var currentName = Invoke(() => Services.Catalog.CurrentName());
        WriteVerbose($"Loading the status of {selected.Count} builder(s) with a timeout of {Timeout.TotalSeconds:0.#} s.");
        var builders = Await(Services.Loader.LoadAsync(selected, currentName, Timeout, CancellationToken));

        // Builders with errors come last, as in docker buildx ls.
        foreach (var builder in builders.OrderBy(b => b.Nodes.Any(n => n.Status == NodeStatus.Error)))
        {
            foreach (var node in builder.Nodes.Where(n => n.Status == NodeStatus.Error))
            {
                WriteError(new BuildxException(
                    node.ErrorId ?? ErrorIds.BuildkitUnreachable,
                    BuildxErrorKind.ConnectionError,
                    $"Builder '{builder.Name}', node '{node.Name}': {node.Error}",
                    builder.Name));
            }

            WriteObject(builder);
        }
    }
}
