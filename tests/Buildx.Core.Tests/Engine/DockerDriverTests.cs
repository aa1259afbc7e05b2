using Buildx.Core.BuildKit;
using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;

namespace Buildx.Core.Tests.Engine;

/// <summary>The docker driver against the real engine's embedded BuildKit, over POST /grpc.</summary>
public class DockerDriverTests
{
    [Fact]
    public async Task Reports_the_engine_running()
    {
        using var driver = new DockerDriver(EngineFixture.CreateEngine());

        Assert.Equal(NodeStatus.Running, await driver.GetStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Lists_the_moby_worker_over_grpc()
    {
        using var driver = new DockerDriver(EngineFixture.CreateEngine());
        using var client = new BuildkitClient(driver.Dialer, driver.EndpointDescription);

        var workers = await client.ListWorkersAsync(CancellationToken.None);

        var worker = Assert.Single(workers);
        Assert.Equal("moby", worker.Id);
        Assert.Contains("linux/amd64", worker.Platforms);
    }

    [Fact]
    public async Task Several_calls_share_one_channel()
    {
        using var driver = new DockerDriver(EngineFixture.CreateEngine());
        using var client = new BuildkitClient(driver.Dialer, driver.EndpointDescription);

        var calls = Enumerable.Range(0, 8).Select(_ => client.ListWorkersAsync(CancellationToken.None));
        var results = await Task.WhenAll(calls);

        Assert.All(results, workers => Assert.Equal("moby", Assert.Single(workers).Id));
    }

    [Fact]
    public async Task Falls_back_to_the_engine_version_map_where_Info_is_unimplemented()
    {
        using var engine = EngineFixture.CreateEngine();
        var engineVersion = await engine.GetVersionAsync(CancellationToken.None);
        using var driver = new DockerDriver(EngineFixture.CreateEngine());
        using var client = new BuildkitClient(driver.Dialer, driver.EndpointDescription);

        var info = await client.GetVersionAsync(CancellationToken.None);
        var loaded = await new BuilderLoader(new DriverFactory(new DockerContextResolver(new FixedEnvironment(
            new Dictionary<string, string> { ["DOCKER_HOST"] = EngineFixture.Context.Host.Original }, Path.GetTempPath()))))
            .LoadAsync([DefaultBuilder()], "default", TimeSpan.FromSeconds(20), CancellationToken.None);

        var node = Assert.Single(Assert.Single(loaded).Nodes);
        Assert.Equal(NodeStatus.Running, node.Status);
        Assert.Equal(info?.Version ?? EngineBuildkitVersion.FromEngineVersion(engineVersion.Version), node.BuildkitVersion);
        Assert.Contains("linux/amd64", node.Platforms);
        Assert.Equal(["moby"], node.WorkerIds);
    }

    private static BuilderDefinition DefaultBuilder() => new()
    {
        Name = "default",
        Driver = DockerDriver.DriverName,
        IsDockerContext = true,
        Nodes = [new NodeDefinition { Name = "default", Endpoint = "default" }],
    };
}
