using System.Management.Automation;
using Buildx.Core.Builders;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Stops builders' daemons, like <c>docker buildx stop</c>; the next build or Start-BuildxBuilder
/// starts them again. Drivers without a daemon of their own (docker) do nothing.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "BuildxBuilder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Builder))]
public sealed class StopBuildxBuilderCommand : BuilderLifecycleCmdlet
{
    private protected override string Action => "Stop";

    private protected override bool Change(BuilderDefinition builder) => TryAwait(Services.Builders.StopAsync(builder, CancellationToken));
}
