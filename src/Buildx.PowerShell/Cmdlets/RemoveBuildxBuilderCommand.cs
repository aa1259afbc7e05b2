using System.Management.Automation;
using Buildx.Core.Builders;
using Buildx.Core.Errors;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Removes builders, like <c>docker buildx rm</c>: each node's daemon is stopped and removed
/// (unless <c>-KeepDaemon</c>) with its state volume (unless <c>-KeepState</c>), then the store
/// entry goes. A Docker context's builder cannot be removed.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "BuildxBuilder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveBuildxBuilderCommand : BuildxCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string[] Name { get; set; } = [];

    [Parameter]
    public SwitchParameter KeepState { get; set; }

    [Parameter]
    public SwitchParameter KeepDaemon { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = BuilderLoader.DefaultTimeout;

    protected override void ProcessRecord()
    {
        var all = Invoke(() => Services.Catalog.List());
        foreach (var name in Name)
        {
            // A pattern passes over the Docker contexts' builders; a plain name of one is an error.
            var targets = WildcardPattern.ContainsWildcardCharacters(name)
                ? SelectBuilders(all, [name]).Where(b => !b.IsDockerContext).Select(b => b.Name)
                : [name];
            foreach (var target in targets)
            {
                Remove(target);
            }
        }
    }

    private void Remove(string name)
    {
        PendingBuilderRemoval pending;
        try
        {
            pending = Services.Builders.BeginRemove(name, KeepState, KeepDaemon, CancellationToken);
        }
        catch (BuildxException ex)
        {
            WriteError(ex);
            return;
        }

        using (pending)
        {
            if (!ShouldProcessUnlessForced(Force, pending.Plan.Describe(), "Remove builder"))
            {
                return;
            }

            var result = Await(pending.CommitAsync(Timeout, CancellationToken));
            foreach (var warning in result.Warnings)
            {
                WriteWarning(warning);
            }

            foreach (var failure in result.Failures)
            {
                WriteError(failure);
            }

            WriteVerbose($"{pending.Plan.BuilderName} removed");
        }
    }
}
