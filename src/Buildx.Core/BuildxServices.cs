using Buildx.Core.Builders;
using Buildx.Core.Builds;
using Buildx.Core.Cache;
using Buildx.Core.Configuration;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;

namespace Buildx.Core;

/// <summary>
/// The core's parts wired together for one environment. Cmdlets create one per call and ask it
/// for what they need, so they stay thin.
/// </summary>
public sealed class BuildxServices
{
    public BuildxServices(IEnvironment environment)
    {
        Environment = environment;
        Contexts = new DockerContextResolver(environment);
        Catalog = new BuilderCatalog(Contexts, environment);
        Drivers = new DriverFactory(Contexts, environment);
        Loader = new BuilderLoader(Drivers);
        DiskUsage = new DiskUsageQuery(Drivers);
        BuildxDirectory = BuildxConfigDirectory.Resolve(environment);
        Builds = new BuildRunner(Drivers, BuildxDirectory);
        Builders = new BuilderManager(Catalog, Contexts, Drivers, Loader, environment);
        Prune = new CachePrune(Drivers);
    }

    public IEnvironment Environment { get; }

    public DockerContextResolver Contexts { get; }

    public BuilderCatalog Catalog { get; }

    public DriverFactory Drivers { get; }

    public BuilderLoader Loader { get; }

    public DiskUsageQuery DiskUsage { get; }

    /// <summary>The directory shared with docker buildx (<c>$BUILDX_CONFIG</c> or <c>~/.docker/buildx</c>).</summary>
    public string BuildxDirectory { get; }

    public BuildRunner Builds { get; }

    /// <summary>Creates, changes, selects, starts, stops and removes builders.</summary>
    public BuilderManager Builders { get; }

    public CachePrune Prune { get; }
}
