using System.Management.Automation;
using Buildx.Core.Builders;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Makes a builder the current one for the current Docker endpoint, like <c>docker buildx use</c>;
/// naming the Docker context's builder clears the selection.
/// </summary>
[Cmdlet(VerbsOther.Use, "BuildxBuilder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Builder))]
public sealed class UseBuildxBuilderCommand : BuildxCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    public SwitchParameter Global { get; set; }

    [Parameter]
    public SwitchParameter Default { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        using (var pending = Invoke(() => Services.Builders.BeginUse(Name, Global, Default, CancellationToken)))
        {
            var description = pending.Plan.Describe();
            if (!ShouldProcess(description, $"Select builder?\n{description}", "Select builder"))
            {
                return;
            }

            pending.Commit();
        }

        if (PassThru)
        {
            WriteObject(LoadBuilder(Invoke(() => Services.Catalog.Get(Name)), BuilderLoader.DefaultTimeout));
        }
    }
}
