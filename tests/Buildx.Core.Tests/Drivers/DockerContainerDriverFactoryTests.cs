using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Drivers;

/// <summary>docker-container nodes as stored builders describe them.</summary>
public class DockerContainerDriverFactoryTests
{
    private static readonly DriverFactory Factory = new(new DockerContextResolver(new FixedEnvironment(new Dictionary<string, string>(), Path.GetTempPath())));

    [Fact]
    public void Makes_a_container_driver_from_the_nodes_options_and_flags()
    {
        using var driver = Assert.IsType<DockerContainerDriver>(Factory.Create(Builder(new Dictionary<string, string> { ["memory"] = "1g" }), Node(new Dictionary<string, string> { ["memory"] = "1g" })));

        Assert.Equal("docker-container", driver.Name);
        Assert.Equal("buildx_buildkit_mybuilder0", driver.ContainerName);
        Assert.Equal(1L << 30, driver.Options.Memory);
        Assert.Contains("unix:///tmp/engine.sock", driver.EndpointDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_option_fails_before_any_connection()
    {
        var error = Assert.Throws<BuildxException>(() => Factory.Create(Builder([]), Node(new Dictionary<string, string> { ["memroy"] = "1g" })));

        Assert.Equal(ErrorIds.UnknownDriverOption, error.ErrorId);
    }

    [Fact]
    public async Task The_loader_shows_a_bad_option_as_the_nodes_error()
    {
        var node = Node(new Dictionary<string, string> { ["cpu-shares"] = "many" });

        var loaded = await new BuilderLoader(Factory).LoadAsync([Builder([]) with { Nodes = [node] }], null, TimeSpan.FromSeconds(5), CancellationToken.None);

        var result = Assert.Single(Assert.Single(loaded).Nodes);
        Assert.Equal(NodeStatus.Error, result.Status);
        Assert.Equal(ErrorIds.InvalidDriverOption, result.ErrorId);
        Assert.Contains("cpu-shares", result.Error, StringComparison.Ordinal);
    }

    private static BuilderDefinition Builder(Dictionary<string, string> options) => new()
    {
        Name = "mybuilder",
        Driver = DockerContainerDriver.DriverName,
        Nodes = [Node(options)],
    };

    private static NodeDefinition Node(Dictionary<string, string> options) => new()
    {
        Name = "mybuilder0",
        Endpoint = "unix:///tmp/engine.sock",
        DriverOptions = options,
    };
}
