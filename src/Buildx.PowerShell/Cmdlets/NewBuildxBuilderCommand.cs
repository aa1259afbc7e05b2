using System.Management.Automation;
using Buildx.Core.Builders;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Creates a builder in the store shared with buildx, like <c>docker buildx create</c>: a random
/// name when none is given, the driver's options checked before anything is written, and with
/// <c>-Node</c> on an existing builder, that node's settings changed.
/// </summary>
[Cmdlet(VerbsCommon.New, "BuildxBuilder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Builder))]
public sealed class NewBuildxBuilderCommand : BuilderNodeCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DriverNameCompleter))]
    public string? Driver { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Node { get; set; }

    [Parameter]
    public SwitchParameter Use { get; set; }

    protected override void ProcessRecord()
    {
        var request = Invoke(() => WithNodeSettings(new CreateBuilderRequest { Name = Name, Driver = Driver, NodeName = Node, Use = Use.IsPresent }));
        var builder = CreateOrChange(request, Timeout);
        if (builder is not null)
        {
            WriteObject(builder);
        }
    }
}
