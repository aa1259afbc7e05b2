using System.Management.Automation;
using Buildx.Core.BuildKit;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Lists BuildKit's cache records on a builder's nodes, like <c>docker buildx du</c>.
/// The builder comes by name, from a builder object in the pipeline, or is the current one.
/// </summary>
[Cmdlet(VerbsCommon.Get, "BuildxDiskUsage")]
[OutputType(typeof(DiskUsageRecord))]
public sealed class GetBuildxDiskUsageCommand : BuildxCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string? Builder { get; set; }

    /// <summary>BuildKit filters, such as <c>type==regular</c> or <c>description~=apt</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Filter { get; set; } = [];

    protected override void ProcessRecord()
    {
        var builder = Invoke(() => Builder is null
            ? Services.Catalog.Current()
            : Services.Catalog.Get(Builder));
        WriteVerbose($"Reading disk usage of builder '{builder.Name}' ({builder.Nodes.Count} node(s)).");
        var records = Await(Services.DiskUsage.RunAsync(builder, Filter, CancellationToken));
        WriteObject(records, enumerateCollection: true);
    }
}
