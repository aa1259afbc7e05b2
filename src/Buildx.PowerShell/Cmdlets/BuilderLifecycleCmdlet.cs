using System.Management.Automation;
using Buildx.Core.Builders;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Start-BuildxBuilder and Stop-BuildxBuilder: the named builders (wildcards allowed, the current
/// one without -Name), each confirmed with ShouldProcess, changed, and with -PassThru reloaded.
/// </summary>
public abstract class BuilderLifecycleCmdlet : BuildxCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The ShouldProcess action: <c>Start</c>, <c>Stop</c>.</summary>
    private protected abstract string Action { get; }

    /// <summary>Changes one builder; false when it failed (the error is already written).</summary>
    private protected abstract bool Change(BuilderDefinition builder);

    protected override void ProcessRecord()
    {
        var targets = Name is null
            ? [Invoke(() => Services.Catalog.Current())]
            : SelectBuilders(Invoke(() => Services.Catalog.List()), Name);
        foreach (var builder in targets)
        {
            var nodes = string.Join(", ", builder.Nodes.Select(n => n.Name));
            if (ShouldProcess($"builder '{builder.Name}' (driver {builder.Driver}, nodes {nodes})", Action)
                && Change(builder)
                && PassThru)
            {
                WriteObject(LoadBuilder(builder, BuilderLoader.DefaultTimeout));
            }
        }
    }
}
