using System.Management.Automation;
using Buildx.Core.BuildKit;
using Buildx.Core.Cache;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Removes BuildKit cache records from a builder's nodes, like <c>docker buildx prune</c>, and
/// writes each removed record as it goes. The builder comes by name, from a builder object in the
/// pipeline, or is the current one.
/// </summary>
[Cmdlet(VerbsCommon.Clear, "BuildxCache", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DiskUsageRecord))]
public sealed class ClearBuildxCacheCommand : BuildxCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string? Builder { get; set; }

    /// <summary>buildx's filters (<c>type=regular</c>, <c>until=24h</c>) or BuildKit's (<c>type==regular</c>).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Filter { get; set; } = [];

    [Parameter]
    public SwitchParameter All { get; set; }

    [Parameter]
    [DurationTransformation]
    public TimeSpan? KeepDuration { get; set; }

    [Parameter]
    [Alias("KeepStorage")]
    [ByteSizeTransformation]
    [ValidateRange(0, long.MaxValue)]
    public long ReservedSpace { get; set; }

    [Parameter]
    [ByteSizeTransformation]
    [ValidateRange(0, long.MaxValue)]
    public long MaxUsedSpace { get; set; }

    [Parameter]
    [ByteSizeTransformation]
    [ValidateRange(0, long.MaxValue)]
    public long MinFreeSpace { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var options = new CachePruneOptions
        {
            Filters = Filter,
            All = All.IsPresent,
            KeepDuration = KeepDuration,
            ReservedSpace = ReservedSpace,
            MaxUsedSpace = MaxUsedSpace,
            MinFreeSpace = MinFreeSpace,
        };
        Invoke(() => PruneFilters.Translate(Filter));
        var builder = Invoke(() => Builder is null ? Services.Catalog.Current() : Services.Catalog.Get(Builder));
        if (!ShouldProcessUnlessForced(Force, Describe(builder.Name, options), "Clear build cache"))
        {
            return;
        }

        long removed = 0, reclaimed = 0;
        var records = Services.Prune.RunAsync(builder, options, CancellationToken).GetAsyncEnumerator(CancellationToken);
        try
        {
            while (Await(records.MoveNextAsync().AsTask()))
            {
                removed++;
                reclaimed += records.Current.Size;
                WriteObject(records.Current);
            }
        }
        finally
        {
            Await(records.DisposeAsync().AsTask().ContinueWith(_ => true, TaskScheduler.Default));
        }

        WriteVerbose($"Removed {removed} cache record(s) from builder '{builder.Name}', {reclaimed} bytes in all.");
    }

    private static string Describe(string builderName, CachePruneOptions options)
    {
        var parts = new List<string>();
        if (options.Filters.Count > 0)
        {
            parts.Add("matching " + string.Join(", ", options.Filters));
        }

        if (options.KeepDuration is { } keep)
        {
            parts.Add($"unused for {keep}");
        }

        if (options.ReservedSpace > 0)
        {
            parts.Add($"keeping {options.ReservedSpace} bytes");
        }

        if (options.MaxUsedSpace > 0)
        {
            parts.Add($"until at most {options.MaxUsedSpace} bytes are used");
        }

        if (options.MinFreeSpace > 0)
        {
            parts.Add($"until {options.MinFreeSpace} bytes are free");
        }

        var scope = options.All ? "all cache records (internal and frontend ones included)" : "cache records";
        return $"Remove {scope}{(parts.Count > 0 ? " " + string.Join(", ", parts) : string.Empty)} on builder '{builderName}'";
    }
}
