using System.Management.Automation;
using Buildx.Core.Builders;
using Buildx.Core.Errors;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Lists builders with their nodes' status, like <c>docker buildx ls</c> and <c>inspect</c>.
/// Nodes load in parallel under <see cref="Timeout"/>; a node that cannot be reached is reported
/// with status Error and a non-terminating error, so one dead builder never hides the others.
/// </summary>
[Cmdlet(VerbsCommon.Get, "BuildxBuilder")]
[OutputType(typeof(Builder))]
public sealed class GetBuildxBuilderCommand : BuildxCmdlet
{
    private readonly List<string> names = [];

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = BuilderLoader.DefaultTimeout;

    protected override void ProcessRecord()
    {
        if (Name is not null)
        {
            names.AddRange(Name);
        }
    }

    protected override void EndProcessing()
    {
        var all = Invoke(() => Services.Catalog.List());
        var selected = Select(all);
        if (selected.Count == 0)
        {
            return;
        }

        var currentName = Invoke(() => Services.Catalog.CurrentName());
        WriteVerbose($"Loading the status of {selected.Count} builder(s) with a timeout of {Timeout.TotalSeconds:0.#} s.");
        var builders = Await(Services.Loader.LoadAsync(selected, currentName, Timeout, CancellationToken));

        // Builders with errors come last, as in docker buildx ls.
        foreach (var builder in builders.OrderBy(b => b.Nodes.Any(n => n.Status == NodeStatus.Error)))
        {
            foreach (var node in builder.Nodes.Where(n => n.Status == NodeStatus.Error))
            {
                WriteError(new BuildxException(
                    node.ErrorId ?? ErrorIds.BuildkitUnreachable,
                    BuildxErrorKind.ConnectionError,
                    $"Builder '{builder.Name}', node '{node.Name}': {node.Error}",
                    builder.Name));
            }

            WriteObject(builder);
        }
    }

    private List<BuilderDefinition> Select(IReadOnlyList<BuilderDefinition> all)
    {
        if (names.Count == 0)
        {
            return [.. all];
        }

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
}
