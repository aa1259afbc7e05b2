using Buildx.Core.Builders;
using Buildx.Core.Builds;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Engine;

/// <summary>Whole builds against the real engine's BuildKit, through the module's own session.</summary>
public sealed class BuildRunnerTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Copies_a_context_and_exports_it_locally()
    {
        directory.Write("ctx/Dockerfile", "FROM scratch\nCOPY . /\n");
        directory.Write("ctx/hello.txt", "hello from the session");
        var output = Path.Combine(directory.Path, "out");
        var events = new List<BuildEvent>();

        var result = await Runner().RunAsync(
            DefaultBuilder(),
            new BuildRequest
            {
                ContextPath = Path.Combine(directory.Path, "ctx"),
                Outputs = [new ExportSpec(ExportSpec.Local, output, new Dictionary<string, string>())],
            },
            e => { lock (events) { events.Add(e); } },
            rawStatus: false,
            CancellationToken.None);

        Assert.Equal("hello from the session", File.ReadAllText(Path.Combine(output, "hello.txt")));
        Assert.True(result.StepCount > 0);
        Assert.True(result.SessionBytesSent > 0);
        Assert.Contains(events, e => e is StepEvent);
    }

    private BuildRunner Runner() => new(
        new DriverFactory(new DockerContextResolver(new FixedEnvironment(
            new Dictionary<string, string> { ["DOCKER_HOST"] = EngineFixture.Context.Host.Original }, directory.Path))),
        Path.Combine(directory.Path, "buildx"));

    private static BuilderDefinition DefaultBuilder() => new()
    {
        Name = "default",
        Driver = DockerDriver.DriverName,
        Nodes = [new NodeDefinition { Name = "default", Endpoint = "default" }],
    };
}
