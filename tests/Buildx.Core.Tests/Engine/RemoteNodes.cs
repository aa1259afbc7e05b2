using Buildx.Core.Builders;
using Buildx.Core.Builds;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Engine;

/// <summary>Remote builders for tests: a one-node builder on an endpoint, the factory that drives it, and a real build through it.</summary>
internal static class RemoteNodes
{
    public static BuilderDefinition Builder(string endpoint, IReadOnlyDictionary<string, string>? options = null) => new()
    {
        Name = "remotetest",
        Driver = "remote",
        Nodes = [new NodeDefinition { Name = "remotetest0", Endpoint = endpoint, DriverOptions = options ?? new Dictionary<string, string>() }],
    };

    public static DriverFactory Factory(string home) => new(new DockerContextResolver(new FixedEnvironment(
        new Dictionary<string, string> { ["DOCKER_HOST"] = EngineFixture.Context.Host.Original }, home)));

    /// <summary>Builds a scratch image holding one file with a unique text, exports it locally, and returns that file's text.</summary>
    public static async Task<(string Exported, string Expected, BuildResult Result, IReadOnlyList<BuildEvent> Events)> BuildThroughAsync(TempDirectory directory, BuilderDefinition builder)
    {
        var expected = "through " + builder.Nodes[0].Endpoint + " " + Guid.NewGuid().ToString("N");
        var context = Path.Combine(directory.Path, "ctx-" + Guid.NewGuid().ToString("N")[..8]);
        directory.Write(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY message.txt /\n");
        directory.Write(Path.Combine(context, "message.txt"), expected);
        var output = Path.Combine(directory.Path, "out-" + Guid.NewGuid().ToString("N")[..8]);
        var events = new List<BuildEvent>();
        var runner = new BuildRunner(Factory(directory.Path), Path.Combine(directory.Path, "buildx"));
        var result = await runner.RunAsync(
            builder,
            new BuildRequest
            {
                ContextPath = context,
                Outputs = [new ExportSpec(ExportSpec.Local, output, new Dictionary<string, string>())],
            },
            e => { lock (events) { events.Add(e); } },
            rawStatus: false,
            CancellationToken.None);
        return (await File.ReadAllTextAsync(Path.Combine(output, "message.txt")), expected, result, events);
    }
}
