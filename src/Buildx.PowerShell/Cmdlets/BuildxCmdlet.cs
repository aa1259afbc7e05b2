using System.Management.Automation;
using Buildx.Core;
using Buildx.Core.Docker;
using Buildx.Core.Errors;
using Buildx.PowerShell.Errors;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// What every Buildx cmdlet shares: the core's services, a cancellation token that Ctrl+C
/// (StopProcessing) cancels, and one way to turn core errors into ErrorRecords.
/// </summary>
public abstract class BuildxCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource cancellation = new();
    private BuildxServices? services;

    protected CancellationToken CancellationToken => cancellation.Token;

    internal BuildxServices Services => services ??= new BuildxServices(ProcessEnvironment.Instance);

    public void Dispose()
    {
        cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override void StopProcessing() => cancellation.Cancel();

    /// <summary>Waits for core work on the pipeline thread; core errors become terminating errors.</summary>
    protected T Await<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (BuildxException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
            throw; // ThrowTerminatingError never returns.
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Runs a synchronous core call; core errors become terminating errors.</summary>
    protected T Invoke<T>(Func<T> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return call();
        }
        catch (BuildxException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
            throw;
        }
    }

    protected void WriteError(BuildxException exception) => WriteError(ErrorRecords.From(exception));
}
