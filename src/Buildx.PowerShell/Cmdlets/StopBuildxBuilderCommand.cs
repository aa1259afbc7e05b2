using System.Management.Automation;
using Buildx.Core.Builders;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Stops builders' daemons, like <c>docker buildx stop</c>; the next build or Start-BuildxBuilder
/// starts them again. Drivers without a daemon of their own (docker) do nothing.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "BuildxBuilder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Builder))]
public sealed class StopBuildxBuilderCommand : BuildxCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string[]? Name { get; set; }

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
            if (ShouldProcess($"builder '{builder.Name}' (driver {builder.Driver}, nodes {nodes})", "Stop")
                && TryAwait(Services.Builders.StopAsync(builder, CancellationToken))
                && PassThru)
            {
                WriteObject(LoadBuilder(builder, BuilderLoader.DefaultTimeout));
            }
        }
    }
}
