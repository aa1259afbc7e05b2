using Buildx.Core.BuildKit;
using Buildx.Core.Builders;
using Buildx.Core.Builds;
using Buildx.Core.Builds.Options;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Tests.Engine;

namespace Buildx.Core.Tests.Builds.Options;

public sealed class HostGatewayAddressTests
{
    private static readonly BuildOptions WithGateway = new() { ExtraHosts = [HostEntry.Parse("host.docker.internal:host-gateway"), HostEntry.Parse("db:10.0.0.5")] };

    [Fact]
    public void Resolves_to_the_address_the_engine_worker_reports()
    {
        var workers = new[] { new BuildkitWorker("moby", ["linux/amd64"], new Dictionary<string, string> { [HostGatewayAddress.WorkerLabel] = "172.17.0.1" }) };

        var resolved = HostGatewayAddress.Resolve(WithGateway, workers);

        Assert.Equal(["host.docker.internal=172.17.0.1", "db=10.0.0.5"], resolved.ExtraHosts.Select(h => h.ToString()));
    }

    [Fact]
    public void Is_refused_on_drivers_other_than_docker_before_anything_connects()
    {
        var error = Assert.Throws<BuildxException>(() => BuildOptionsPlanner.Validate(WithGateway, "docker-container"));

        Assert.Equal(ErrorIds.InvalidAddHost, error.ErrorId);
        Assert.Contains("only supported with the docker driver", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_engine_without_the_label_gives_a_clear_error()
    {
        // Docker Engine 20.10's BuildKit workers carry no labels: the module says so, as buildx does.
        using var directory = new TempDirectory();
        directory.Write("ctx/Dockerfile", "FROM scratch\n");
        var environment = new FixedEnvironment(new Dictionary<string, string> { ["DOCKER_HOST"] = EngineFixture.Context.Host.Original }, directory.Path);
        var runner = new BuildRunner(new DriverFactory(new DockerContextResolver(environment)), Path.Combine(directory.Path, "buildx"));

        var error = await Assert.ThrowsAsync<BuildxException>(() => runner.RunAsync(
            new BuilderDefinition { Name = "default", Driver = DockerDriver.DriverName, Nodes = [new NodeDefinition { Name = "default", Endpoint = "default" }] },
            new BuildRequest { ContextPath = Path.Combine(directory.Path, "ctx"), Options = WithGateway, Outputs = [new Buildx.Core.Exports.ExportSpec(Buildx.Core.Exports.ExportSpec.CacheOnly, null, new Dictionary<string, string>())] },
            _ => { },
            rawStatus: false,
            CancellationToken.None));

        Assert.Equal(ErrorIds.InvalidAddHost, error.ErrorId);
        Assert.Contains(HostGatewayAddress.WorkerLabel, error.Message, StringComparison.Ordinal);
    }
}
