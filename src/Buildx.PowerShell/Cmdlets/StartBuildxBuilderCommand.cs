using System.Management.Automation;
using Buildx.Core.Builders;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Starts builders (buildx's bootstrap): creates and starts what each node's driver needs and
/// waits until BuildKit answers. Without <c>-Name</c>, the current builder.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "BuildxBuilder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Builder))]
public sealed class StartBuildxBuilderCommand : BuildxCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = BuilderManager.DefaultBootstrapTimeout;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var targets = Name is null
            ? [Invoke(() => Services.Catalog.Current())]
            : SelectBuilders(Invoke(() => Services.Catalog.List()), Name);
        foreach (var builder in targets)
        {
            var nodes = string.Join(", ", builder.Nodes.Select(n => n.Name));
            if (!ShouldProcess($"builder '{builder.Name}' (driver {builder.Driver}, nodes {nodes})", "Start"))
            {
                continue;
            }

            if (TryAwait(RunReporting(progress => Services.Builders.BootstrapAsync(builder, progress, Timeout, CancellationToken), $"Starting builder {builder.Name}"))
                && PassThru)
            {
                WriteObject(LoadBuilder(builder, BuilderLoader.DefaultTimeout));
            }
        }
    }
}
