using Buildx.Core.Builders;
using Buildx.Core.Builds;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Exports;
using Buildx.Core.Registry;
using Buildx.Core.Tests.Registry;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// Multi-platform builds over a builder of two docker-container nodes (stand-ins relaying to the
/// engine's real BuildKit), each declared for one platform.
/// </summary>
public sealed class MultiNodeBuildTests : IDisposable
{
    // The context holds one directory per platform; COPY picks the one of the platform being built,
    // so each export shows which platform's solve produced it.
    private const string Dockerfile = "FROM scratch\nARG TARGETPLATFORM\nCOPY ${TARGETPLATFORM}/ /\n";

    private readonly TempDirectory directory = new();

    public MultiNodeBuildTests()
    {
        directory.Write("ctx/Dockerfile", Dockerfile);
        directory.Write("ctx/linux/amd64/built-for.txt", "amd64");
        directory.Write("ctx/linux/arm64/built-for.txt", "arm64");
    }

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Builds_each_platform_on_its_own_node_and_a_rebuild_is_cached()
    {
        await using var amd = await StandinNode.CreateAsync();
        await using var arm = await StandinNode.CreateAsync();
        await Task.WhenAll(amd.CreateDriver().BootstrapAsync(null, CancellationToken.None), arm.CreateDriver().BootstrapAsync(null, CancellationToken.None));
        var builder = Builder(Node(amd, "linux/amd64"), Node(arm, "linux/arm64"));
        var output = Path.Combine(directory.Path, "out");
        var events = new List<BuildEvent>();

        var result = await Runner().RunAsync(builder, Request(output, ["linux/amd64", "linux/arm64"]), e => { lock (events) { events.Add(e); } }, false, CancellationToken.None);

        Assert.Equal("amd64", File.ReadAllText(Path.Combine(output, "linux_amd64", "built-for.txt")));
        Assert.Equal("arm64", File.ReadAllText(Path.Combine(output, "linux_arm64", "built-for.txt")));
        Assert.Equal(["built-for.txt"], Directory.GetFiles(Path.Combine(output, "linux_arm64")).Select(Path.GetFileName));
        Assert.Equal(
            [("linux/amd64", amd.NodeName), ("linux/arm64", arm.NodeName)],
            result.Platforms.Select(p => (p.Platform, p.Node)));
        Assert.Equal($"{amd.NodeName},{arm.NodeName}", result.Node);
        lock (events)
        {
            // One progress display: step numbers unique across nodes, names tagged with the platform.
            var steps = events.OfType<StepEvent>().Select(e => e.Step).ToList();
            Assert.Contains(steps, s => s.Name.StartsWith("[linux/arm64] ", StringComparison.Ordinal));
            Assert.Contains(steps, s => s.Name.StartsWith("[linux/amd64] ", StringComparison.Ordinal));
            Assert.All(steps.GroupBy(s => s.Number), g => Assert.Single(g.Select(s => s.Name).Distinct()));
        }

        var again = await Runner().RunAsync(builder, Request(Path.Combine(directory.Path, "again"), ["linux/arm64", "linux/amd64"]), _ => { }, false, CancellationToken.None);

        Assert.Contains(again.Steps, s => s.Name.Contains("COPY", StringComparison.Ordinal) && s.Cached);
        Assert.All(again.Steps.Where(s => s.Name.Contains("COPY", StringComparison.Ordinal)), s => Assert.True(s.Cached, s.Name));
    }

    [Fact]
    public async Task A_platform_no_node_builds_fails_before_anything_runs()
    {
        await using var amd = await StandinNode.CreateAsync();
        await using var arm = await StandinNode.CreateAsync();
        var output = Path.Combine(directory.Path, "out");

        var error = await Assert.ThrowsAsync<BuildxException>(() => Runner().RunAsync(
            Builder(Node(amd, "linux/amd64"), Node(arm, "linux/arm64")), Request(output, ["linux/amd64", "linux/s390x"]), _ => { }, false, CancellationToken.None));

        Assert.Equal(ErrorIds.PlatformNotSupported, error.ErrorId);
        Assert.Contains("linux/s390x", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task One_node_failing_names_its_platform_and_node_and_tags_nothing()
    {
        await using var amd = await StandinNode.CreateAsync();
        await amd.CreateDriver().BootstrapAsync(null, CancellationToken.None);
        var builder = Builder(
            Node(amd, "linux/amd64"),
            new NodeDefinition { Name = "unreachable-arm", Endpoint = "unix:///nonexistent/docker.sock", Platforms = ["linux/arm64"], DriverOptions = amd.StoredOptions });
        var repository = RegistryFixture.NewRepository(RegistryFixture.Anonymous);
        var request = new BuildRequest
        {
            ContextPath = Path.Combine(directory.Path, "ctx"),
            Platforms = ["linux/amd64", "linux/arm64"],
            Tags = [repository + ":multi"],
            Outputs = [new ExportSpec(ExportSpec.Registry, null, new Dictionary<string, string>())],
        };

        var error = await Assert.ThrowsAsync<BuildxException>(() => Runner().RunAsync(builder, request, _ => { }, false, CancellationToken.None));

        Assert.Contains("unreachable-arm", error.Message, StringComparison.Ordinal);
        Assert.Contains("linux/arm64", error.Message, StringComparison.Ordinal);
        using var registry = new RegistryClient();
        var missing = await Assert.ThrowsAsync<BuildxException>(() => registry.GetManifestAsync(ImageReference.Parse(repository + ":multi"), CancellationToken.None));
        Assert.Equal(ErrorIds.RegistryObjectNotFound, missing.ErrorId);
    }

    [Fact]
    public async Task An_oci_output_asks_each_node_for_its_own_tarball_and_surfaces_the_daemons_refusal()
    {
        // The engine's BuildKit has no oci exporter: each node is asked for one, and its answer reaches the caller.
        await using var amd = await StandinNode.CreateAsync();
        await using var arm = await StandinNode.CreateAsync();
        await Task.WhenAll(amd.CreateDriver().BootstrapAsync(null, CancellationToken.None), arm.CreateDriver().BootstrapAsync(null, CancellationToken.None));
        var output = Path.Combine(directory.Path, "image.tar");
        var request = Request(output, ["linux/amd64", "linux/arm64"]) with
        {
            Outputs = [new ExportSpec(ExportSpec.Oci, output, new Dictionary<string, string>())],
        };

        var error = await Assert.ThrowsAsync<BuildxException>(() => Runner().RunAsync(Builder(Node(amd, "linux/amd64"), Node(arm, "linux/arm64")), request, _ => { }, false, CancellationToken.None));

        Assert.Matches("Building linux/(amd|arm)64 on node 'ctest_[0-9a-f]+' failed", error.Message);
        Assert.Contains("oci", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    private BuildRequest Request(string output, string[] platforms) => new()
    {
        ContextPath = Path.Combine(directory.Path, "ctx"),
        Platforms = platforms,
        Outputs = [new ExportSpec(ExportSpec.Local, output, new Dictionary<string, string>())],
    };

    private static NodeDefinition Node(StandinNode node, string platform) => new()
    {
        Name = node.NodeName,
        Endpoint = EngineFixture.Context.Host.Original,
        Platforms = [platform],
        DriverOptions = node.StoredOptions,
    };

    private static BuilderDefinition Builder(params NodeDefinition[] nodes) => new()
    {
        Name = "multi_" + Guid.NewGuid().ToString("N")[..8],
        Driver = DockerContainerDriver.DriverName,
        Nodes = nodes,
    };

    private BuildRunner Runner() => new(
        new DriverFactory(
            new DockerContextResolver(new FixedEnvironment(new Dictionary<string, string>(), directory.Path)),
            new FixedEnvironment(new Dictionary<string, string> { [DriverFactory.TestContainerBindsVariable] = StandinNode.EngineSocketBind() }, directory.Path)),
        Path.Combine(directory.Path, "buildx"));
}
