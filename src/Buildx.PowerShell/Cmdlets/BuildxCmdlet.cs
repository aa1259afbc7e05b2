using System.Management.Automation;
using Buildx.Core;
using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.PowerShell.Errors;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// What every Buildx cmdlet shares: the core's services, a cancellation token that Ctrl+C
/// (StopProcessing) cancels, and one way to turn core errors into ErrorRecords.
/// </summary>
public abstract class BuildxCmdlet : PSCmdlet, IDisposable
{
    private static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(100);
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
            return Wait(task);
        }
        catch (BuildxException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
            throw; // ThrowTerminatingError never returns.
        }
    }

    protected void Await(Task task) => Await(AsResult(task));

    /// <summary>Waits for core work; a core error is written as a non-terminating error and false returned.</summary>
    protected bool TryAwait(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            Wait(AsResult(task));
            return true;
        }
        catch (BuildxException ex)
        {
            WriteError(ex);
            return false;
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

    /// <summary>
    /// Starts core work that reports steps and waits for it here, showing each step as a progress
    /// status and a verbose message: PowerShell's streams may only be written on this thread.
    /// </summary>
    /// <returns>The finished task, for <see cref="Await{T}(Task{T})"/> or <see cref="TryAwait"/>.</returns>
    protected Task<T> RunReporting<T>(Func<IProgress<string>, Task<T>> work, string activity)
    {
        ArgumentNullException.ThrowIfNull(work);
        var progress = new QueuedProgress();
        var task = work(progress);
        var record = new ProgressRecord(2, activity, "Starting");
        while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(PumpInterval))
        {
            Show(progress, record);
        }

        Show(progress, record);
        record.RecordType = ProgressRecordType.Completed;
        WriteProgress(record);
        return task;
    }

    protected Task RunReporting(Func<IProgress<string>, Task> work, string activity) =>
        RunReporting(progress => AsResult(work(progress)), activity);

    /// <summary>
    /// A create, append or node update: worked out (and checked) under the store lock, shown by
    /// -WhatIf or confirmed, then saved and, with -Bootstrap, started.
    /// </summary>
    /// <returns>The builder with its status; null when ShouldProcess declined.</returns>
    internal Builder? CreateOrChange(CreateBuilderRequest request, TimeSpan timeout)
    {
        using var pending = Invoke(() => Services.Builders.BeginCreate(request, CancellationToken));
        var plan = pending.Plan;
        if (!ShouldProcess(plan.Describe(), $"{plan.Action}?\n{plan.Describe()}", plan.Action))
        {
            return null;
        }

        foreach (var warning in plan.Warnings)
        {
            WriteWarning(warning);
        }

        if (plan.Kind == BuilderChangeKind.UpdateNode)
        {
            WriteWarning("new settings may not be used until builder is restarted");
        }

        var definition = Await(RunReporting(progress => pending.CommitAsync(timeout, progress, CancellationToken), $"{plan.Action} {plan.BuilderName}"));
        return LoadBuilder(definition, timeout);
    }

    /// <summary>-DriverOption values: hashtables or buildx CSV strings, with PowerShell's wrappers removed.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>>? ParseDriverOptions(object[]? values) =>
        values is null ? null : Invoke(() => DriverOptionInput.Parse(values, value => value is PSObject wrapped ? wrapped.BaseObject : value));

    /// <summary>
    /// The builders named (wildcards allowed) among <paramref name="all"/>; a plain name that
    /// matches nothing is a non-terminating BuilderNotFound error.
    /// </summary>
    protected List<BuilderDefinition> SelectBuilders(IReadOnlyList<BuilderDefinition> all, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(names);
        var selected = new List<BuilderDefinition>();
        foreach (var name in names)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = all.Where(b => pattern.IsMatch(b.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(new BuildxException(
                    ErrorIds.BuilderNotFound,
                    BuildxErrorKind.ObjectNotFound,
                    $"No builder named '{name}'. Known builders: {string.Join(", ", all.Select(b => b.Name))}.",
                    name));
            }

            selected.AddRange(matches.Where(m => !selected.Contains(m)));
        }

        return selected;
    }

    /// <summary>The builder with its nodes' status, as Get-BuildxBuilder shows it.</summary>
    protected Builder LoadBuilder(BuilderDefinition definition, TimeSpan timeout)
    {
        var currentName = Invoke(() => Services.Catalog.CurrentName());
        return Await(Services.Loader.LoadAsync([definition], currentName, timeout, CancellationToken))[0];
    }

    /// <summary>
    /// ShouldProcess for High-impact changes whose prompt <c>-Force</c> skips; <c>-WhatIf</c> and an
    /// explicit <c>-Confirm</c> still apply.
    /// </summary>
    protected bool ShouldProcessUnlessForced(bool force, string description, string caption)
    {
        if (force && !MyInvocation.BoundParameters.ContainsKey("Confirm") && !IsWhatIf())
        {
            WriteVerbose(description);
            return true;
        }

        return ShouldProcess(description, $"{caption}?\n{description}", caption);
    }

    private bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf)
            ? LanguagePrimitives.IsTrue(whatIf)
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    private void Show(QueuedProgress progress, ProgressRecord record)
    {
        while (progress.TryTake(out var message))
        {
            WriteVerbose(message);
            record.StatusDescription = message;
            WriteProgress(record);
        }
    }

    private T Wait<T>(Task<T> task)
    {
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    private static async Task<bool> AsResult(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }
}
