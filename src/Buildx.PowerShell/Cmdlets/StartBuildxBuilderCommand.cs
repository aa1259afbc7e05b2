using System.Management.Automation;
using Buildx.Core.Builders;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Starts builders (buildx's bootstrap): creates and starts what each node's driver needs and
/// waits until BuildKit answers. Without <c>-Name</c>, the current builder.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "BuildxBuilder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Builder))]
public sealed class StartBuildxBuilderCommand : BuilderLifecycleCmdlet
{
    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = BuilderManager.DefaultBootstrapTimeout;

    private protected override string Action => "Start";

    private protected override bool Change(BuilderDefinition builder) =>
        TryAwait(RunReporting(progress => Services.Builders.BootstrapAsync(builder, progress, Timeout, CancellationToken), $"Starting builder {builder.Name}"));
}
