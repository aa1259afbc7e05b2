using Buildx.Core.Builders;
using Buildx.Core.Builds;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Builds;

public sealed class DefaultLoadTests
{
    private static readonly BuildRequest Plain = new() { ContextPath = "." };

    [Theory]
    [InlineData("docker-container", "true", true)]
    [InlineData("kubernetes", "1", true)]
    [InlineData("remote", "True", true)]
    [InlineData("remote", "false", false)]
    [InlineData("docker-container", "yes", false)]
    [InlineData("docker", "true", false)]
    public void Loads_by_default_when_the_node_says_so(string driver, string value, bool loads)
    {
        var node = new NodeDefinition { Name = "n", Endpoint = "e", DriverOptions = new Dictionary<string, string> { ["default-load"] = value } };

        Assert.Equal(loads, DefaultLoad.Apply(Plain, driver, node).Load);
    }

    [Fact]
    public void An_output_or_a_push_wins_over_default_load()
    {
        var node = new NodeDefinition { Name = "n", Endpoint = "e", DriverOptions = new Dictionary<string, string> { ["default-load"] = "true" } };
        var withOutput = Plain with { Outputs = [new ExportSpec(ExportSpec.Local, "out", new Dictionary<string, string>())] };

        Assert.False(DefaultLoad.Apply(withOutput, "docker-container", node).Load);
        Assert.False(DefaultLoad.Apply(Plain with { Push = true }, "docker-container", node).Load);
        Assert.False(DefaultLoad.Apply(Plain, "docker-container", node with { DriverOptions = new Dictionary<string, string>() }).Load);
    }

    [Fact]
    public void A_default_load_becomes_a_docker_output_piped_into_the_engine()
    {
        var node = new NodeDefinition { Name = "n", Endpoint = "e", DriverOptions = new Dictionary<string, string> { ["default-load"] = "true" } };
        var request = DefaultLoad.Apply(Plain with { Tags = ["app:1"] }, "remote", node);

        var plan = ExportPlanner.Create(request.Outputs, request.Tags, new ExportPlanOptions { Driver = "remote", Load = request.Load });

        var export = Assert.Single(plan.Exports);
        Assert.Equal(ExportSpec.Docker, export.Type);
        Assert.Equal(ExportDestinationKind.EngineLoad, export.DestinationKind);
        Assert.Empty(plan.Warnings);
    }
}
