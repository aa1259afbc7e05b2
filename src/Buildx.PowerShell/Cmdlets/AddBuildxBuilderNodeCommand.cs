using System.Management.Automation;
using Buildx.Core.Builders;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>Adds a node to a builder, like <c>docker buildx create --append</c>.</summary>
[Cmdlet(VerbsCommon.Add, "BuildxBuilderNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Builder))]
public sealed class AddBuildxBuilderNodeCommand : BuilderNodeCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Node { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var request = Invoke(() => WithNodeSettings(new CreateBuilderRequest { Name = Name, Append = true, NodeName = Node }));
        var builder = CreateOrChange(request, Timeout);
        if (builder is not null && PassThru)
        {
            WriteObject(builder);
        }
    }
}
