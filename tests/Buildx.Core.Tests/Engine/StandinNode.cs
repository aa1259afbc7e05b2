using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Transport;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// A docker-container node for one test, on the stand-in image and unprivileged (this machine
/// cannot start privileged containers), with the engine socket bound in so the stand-in reaches
/// the engine's BuildKit. Disposing removes its container and state volume whatever happened.
/// </summary>
public sealed class StandinNode : IAsyncDisposable
{
    private readonly List<DockerContainerDriver> drivers = [];
    private readonly IReadOnlyList<string> flags;
    private readonly IReadOnlyDictionary<string, byte[]>? configFiles;

    private StandinNode(string nodeName, DockerContainerDriverOptions options, IReadOnlyList<string> flags, IReadOnlyDictionary<string, byte[]>? configFiles, IReadOnlyDictionary<string, string> storedOptions)
    {
        StoredOptions = storedOptions;
        NodeName = nodeName;
        Options = options;
        this.flags = flags;
        this.configFiles = configFiles;
    }

    /// <summary>buildx's default flags for container drivers.</summary>
    public static IReadOnlyList<string> DefaultFlags { get; } = ["--allow-insecure-entitlement=network.host"];

    public string NodeName { get; }

    public DockerContainerDriverOptions Options { get; }

    /// <summary>The driver options as a builder in the store holds them, for nodes made through the driver factory.</summary>
    public IReadOnlyDictionary<string, string> StoredOptions { get; }

    public string ContainerName => DockerContainerDriver.ContainerNamePrefix + NodeName;

    public string StateVolumeName => ContainerName + DockerContainerDriver.StateVolumeSuffix;

    /// <param name="driverOptions">Stored driver options; <c>image</c> and <c>privileged</c> default to the stand-in's.</param>
    public static async Task<StandinNode> CreateAsync(
        IReadOnlyDictionary<string, string>? driverOptions = null,
        IReadOnlyList<string>? flags = null,
        IReadOnlyDictionary<string, byte[]>? configFiles = null)
    {
        await StandinImage.EnsureAsync();
        var stored = new Dictionary<string, string>
        {
            [DockerContainerDriverOptions.ImageKey] = StandinImage.Reference,
            [DockerContainerDriverOptions.PrivilegedKey] = "false",
        };
        foreach (var (key, value) in driverOptions ?? new Dictionary<string, string>())
        {
            stored[key] = value;
        }

        var options = DockerContainerDriverOptions.Parse(stored) with { ExtraBinds = [EngineSocketBind()] };
        return new StandinNode("ctest_" + Guid.NewGuid().ToString("N")[..12], options, flags ?? DefaultFlags, configFiles, stored);
    }

    /// <summary>A new driver for this node (as each command would make one); disposed with the node.</summary>
    public DockerContainerDriver CreateDriver(Action<string>? diagnostics = null)
    {
        var driver = new DockerContainerDriver(EngineFixture.CreateEngine(), NodeName, Options, flags, configFiles, diagnostics);
        lock (drivers)
        {
            drivers.Add(driver);
        }

        return driver;
    }

    public async ValueTask DisposeAsync()
    {
        using var engine = EngineFixture.CreateEngine();
        try
        {
            await new DockerContainers(engine).RemoveAsync(ContainerName, removeAnonymousVolumes: true, force: true, CancellationToken.None);
        }
        catch (BuildxException ex) when (ex.ErrorId == ErrorIds.ContainerNotFound)
        {
            // The test removed it already, or never created it.
        }

        await new DockerVolumes(engine).RemoveAsync(StateVolumeName, force: true, CancellationToken.None);
        lock (drivers)
        {
            foreach (var driver in drivers)
            {
                driver.Dispose();
            }
        }
    }

    /// <summary>The bind that gives a stand-in the engine's socket.</summary>
    public static string EngineSocketBind()
    {
        var host = EngineFixture.Context.Host;
        return host.Kind == EndpointKind.Unix
            ? $"{host.Address}:{StandinImage.EngineSocketInContainer}"
            : throw new InvalidOperationException($"The BuildKit stand-in reaches the engine through its unix socket; the tests' engine is {host}.");
    }
}
