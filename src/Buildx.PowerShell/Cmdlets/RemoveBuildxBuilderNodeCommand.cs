using System.Management.Automation;
using Buildx.Core.Builders;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Removes nodes from a builder, like <c>docker buildx create --leave</c>, and (unlike it) also
/// their daemons unless <c>-KeepDaemon</c>, and their state unless <c>-KeepState</c>.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "BuildxBuilderNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(Builder))]
public sealed class RemoveBuildxBuilderNodeCommand : BuildxCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NodeNameCompleter))]
    public string[] Node { get; set; } = [];

    [Parameter]
    public SwitchParameter KeepState { get; set; }

    [Parameter]
    public SwitchParameter KeepDaemon { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = BuilderLoader.DefaultTimeout;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        BuilderDefinition? remaining = null;
        foreach (var node in Node)
        {
            using var pending = Invoke(() => Services.Builders.BeginLeave(Name, node, KeepState, KeepDaemon, CancellationToken));
            if (ShouldProcessUnlessForced(Force, pending.Plan.Describe(), "Remove builder node"))
            {
                remaining = Await(pending.CommitAsync(Timeout, CancellationToken));
            }
        }

        if (remaining is not null && PassThru)
        {
            WriteObject(LoadBuilder(remaining, Timeout));
        }
    }
}
