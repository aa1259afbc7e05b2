using Buildx.Core.Docker;
using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Builders;

/// <summary>
/// Every builder a user can name, as <c>docker buildx ls</c> lists them: the builders in the
/// store shared with buildx, then one per Docker context (unless a stored builder has its name).
/// </summary>
public sealed class BuilderCatalog(DockerContextResolver contexts, IEnvironment environment)
{
    public BuilderStore OpenStore() => BuilderStore.Open(environment);

    public IReadOnlyList<BuilderDefinition> List()
    {
        List<BuilderDefinition> stored;
        using (var transaction = OpenStore().BeginTransaction())
        {
            stored = transaction.List().Select(g => FromGroup(g, transaction.GetLastActivity(g.Name))).ToList();
        }

        var taken = new HashSet<string>(stored.Select(b => b.Name), StringComparer.OrdinalIgnoreCase);
        var fromContexts = contexts.ListContextNames()
            .Distinct(StringComparer.Ordinal)
            .Where(name => !taken.Contains(name))
            .Order(StringComparer.Ordinal)
            .Select(ForContext);
        return [.. stored, .. fromContexts];
    }

    /// <summary>
    /// The builder used when none is named: <c>BUILDX_BUILDER</c>, else the one <c>use</c>
    /// selected for the current Docker context, else that context's own builder.
    /// </summary>
    public BuilderDefinition Current()
    {
        var fromEnvironment = environment.GetVariable("BUILDX_BUILDER");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Get(fromEnvironment);
        }

        var context = contexts.ResolveCurrent();
        using var transaction = OpenStore().BeginTransaction();
        return transaction.Current(context.StoreKey) is { } group
            ? FromGroup(group, transaction.GetLastActivity(group.Name))
            : ForContext(context.Name);
    }

    public string CurrentName() => Current().Name;

    public BuilderDefinition Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        using (var transaction = OpenStore().BeginTransaction())
        {
            if (BuilderName.IsValid(name) && transaction.TryGet(name) is { } group)
            {
                return FromGroup(group, transaction.GetLastActivity(group.Name));
            }
        }

        var contextName = contexts.ListContextNames().FirstOrDefault(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
        return contextName is not null
            ? ForContext(contextName)
            : throw new BuildxException(
                ErrorIds.BuilderNotFound,
                BuildxErrorKind.ObjectNotFound,
                $"No builder named '{name}'. Get-BuildxBuilder lists the builders there are.",
                name);
    }

    internal static BuilderDefinition FromGroup(NodeGroup group, DateTimeOffset? lastActivity) => new()
    {
        Name = group.Name,
        Driver = group.Driver,
        LastActivity = lastActivity,
        Nodes = (group.Nodes ?? []).Select(node => new NodeDefinition
        {
            Name = node.Name,
            Endpoint = node.Endpoint,
            Platforms = (node.Platforms ?? []).Select(PlatformSpecifier.Format).ToArray(),
            DriverOptions = node.DriverOpts is null ? new Dictionary<string, string>() : new Dictionary<string, string>(node.DriverOpts, StringComparer.Ordinal),
            BuildkitdFlags = node.BuildkitdFlags?.ToArray() ?? [],
            ConfigFiles = node.Files is null ? new Dictionary<string, byte[]>() : new Dictionary<string, byte[]>(node.Files, StringComparer.Ordinal),
        }).ToArray(),
    };

    internal static BuilderDefinition ForContext(string contextName) => new()
    {
        Name = contextName,
        Driver = Drivers.DockerDriver.DriverName,
        IsDockerContext = true,
        Nodes = [new NodeDefinition { Name = contextName, Endpoint = contextName }],
    };
}
