using System.Formats.Tar;
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

    [Fact]
    public async Task Copies_a_context_through_a_Control_Session_tunnel()
    {
        // The engine's /grpc upgrade instead of POST /session: the session headers travel as gRPC
        // metadata, and FileSync only works if every method arrived as a field of its own.
        directory.Write("ctx/Dockerfile", "FROM scratch\nCOPY . /\n");
        directory.Write("ctx/sub/greeting.txt", "hello through Control.Session");
        // A tar export: the daemon waits for the client to end that call, so Solve returns only once it is written.
        var output = Path.Combine(directory.Path, "out.tar");

        var result = await Runner(preferControlSession: true).RunAsync(
            DefaultBuilder(),
            new BuildRequest
            {
                ContextPath = Path.Combine(directory.Path, "ctx"),
                Outputs = [new ExportSpec(ExportSpec.Tar, output, new Dictionary<string, string>())],
            },
            _ => { },
            rawStatus: false,
            CancellationToken.None);

        Assert.Equal("hello through Control.Session", ReadTarEntry(output, "sub/greeting.txt"));
        Assert.True(result.SessionBytesSent > 0);
        Assert.True(result.SessionBytesReceived > 0);
    }

    [Fact]
    public async Task Boots_an_inactive_docker_container_node_first_as_buildx_does()
    {
        await using var node = await StandinNode.CreateAsync();
        directory.Write("ctx/Dockerfile", "FROM scratch\nCOPY . /\n");
        directory.Write("ctx/booted.txt", "booted");
        var output = Path.Combine(directory.Path, "out");
        var events = new List<BuildEvent>();
        var runner = new BuildRunner(
            new DriverFactory(
                new DockerContextResolver(new FixedEnvironment(new Dictionary<string, string>(), directory.Path)),
                new FixedEnvironment(new Dictionary<string, string> { [DriverFactory.TestContainerBindsVariable] = StandinNode.EngineSocketBind() }, directory.Path)),
            Path.Combine(directory.Path, "buildx"));
        var builder = new BuilderDefinition
        {
            Name = "boot_" + Guid.NewGuid().ToString("N")[..8],
            Driver = DockerContainerDriver.DriverName,
            Nodes = [new NodeDefinition { Name = node.NodeName, Endpoint = EngineFixture.Context.Host.Original, DriverOptions = node.StoredOptions }],
        };
        Assert.Equal(NodeStatus.Inactive, await node.CreateDriver().GetStatusAsync(CancellationToken.None));

        await runner.RunAsync(
            builder,
            new BuildRequest { ContextPath = Path.Combine(directory.Path, "ctx"), Outputs = [new ExportSpec(ExportSpec.Local, output, new Dictionary<string, string>())] },
            e => { lock (events) { events.Add(e); } },
            rawStatus: false,
            CancellationToken.None);

        Assert.Equal("booted", File.ReadAllText(Path.Combine(output, "booted.txt")));
        Assert.Equal(NodeStatus.Running, await node.CreateDriver().GetStatusAsync(CancellationToken.None));
        Assert.Contains(events, e => e is ClientMessageEvent { Message: var m } && m.Contains($"creating container {node.ContainerName}", StringComparison.Ordinal));
    }

    private static string? ReadTarEntry(string tarPath, string name)
    {
        using var reader = new TarReader(File.OpenRead(tarPath));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name.TrimStart('.', '/') == name && entry.DataStream is { } data)
            {
                using var text = new StreamReader(data);
                return text.ReadToEnd();
            }
        }

        return null;
    }

    private BuildRunner Runner(bool preferControlSession = false) => new(
        new DriverFactory(new DockerContextResolver(new FixedEnvironment(
            new Dictionary<string, string> { ["DOCKER_HOST"] = EngineFixture.Context.Host.Original }, directory.Path))),
        Path.Combine(directory.Path, "buildx"))
    {
        PreferControlSession = preferControlSession,
    };

    private static BuilderDefinition DefaultBuilder() => new()
    {
        Name = "default",
        Driver = DockerDriver.DriverName,
        Nodes = [new NodeDefinition { Name = "default", Endpoint = "default" }],
    };
}
