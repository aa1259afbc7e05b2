using Buildx.Core.Builders;
using Buildx.Core.Cache;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;

namespace Buildx.Core.Tests.Engine;

public class DiskUsageTests
{
    [Fact]
    public async Task Lists_the_records_a_build_left_in_the_cache()
    {
        var marker = Guid.NewGuid().ToString("N");
        await EngineBuild.BuildAsync($"FROM scratch\nLABEL marker={marker}\nCOPY Dockerfile /{marker}\n", CancellationToken.None);
        var query = new DiskUsageQuery(new DriverFactory(new DockerContextResolver(new FixedEnvironment(
            new Dictionary<string, string> { ["DOCKER_HOST"] = EngineFixture.Context.Host.Original }, Path.GetTempPath()))));

        var records = await query.RunAsync(DefaultBuilder(), [], CancellationToken.None);

        Assert.NotEmpty(records);
        Assert.All(records, r =>
        {
            Assert.False(string.IsNullOrEmpty(r.Id));
            Assert.Equal("default", r.Builder);
            Assert.Equal("default", r.Node);
            Assert.True(r.Size >= 0);
        });
        var recent = records.Where(r => r.LastUsedAt > DateTimeOffset.UtcNow.AddMinutes(-5)).ToList();
        Assert.NotEmpty(recent);
        Assert.Contains(recent, r => r.Description.Contains("build-context", StringComparison.Ordinal) || r.Description.Contains("fileop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Passes_filters_to_the_daemon()
    {
        await EngineBuild.BuildAsync($"FROM scratch\nCOPY Dockerfile /{Guid.NewGuid():N}\n", CancellationToken.None);
        var query = new DiskUsageQuery(new DriverFactory(new DockerContextResolver(new FixedEnvironment(
            new Dictionary<string, string> { ["DOCKER_HOST"] = EngineFixture.Context.Host.Original }, Path.GetTempPath()))));
        var all = await query.RunAsync(DefaultBuilder(), [], CancellationToken.None);
        var first = all[0];

        var filtered = await query.RunAsync(DefaultBuilder(), [$"id=={first.Id}"], CancellationToken.None);

        Assert.Equal(first.Id, Assert.Single(filtered).Id);
    }

    private static BuilderDefinition DefaultBuilder() => new()
    {
        Name = "default",
        Driver = DockerDriver.DriverName,
        Nodes = [new NodeDefinition { Name = "default", Endpoint = "default" }],
    };
}
