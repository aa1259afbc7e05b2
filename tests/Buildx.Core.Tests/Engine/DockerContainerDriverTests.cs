using System.Text;
using Buildx.Core.BuildKit;
using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// The docker-container driver against the real engine, with the BuildKit stand-in image: its
/// <c>buildctl dial-stdio</c> relays to the engine's own BuildKit, so the gRPC calls are real.
/// </summary>
public class DockerContainerDriverTests
{
    [Fact]
    public async Task Bootstrap_creates_the_container_buildx_would()
    {
        await using var node = await StandinNode.CreateAsync(
            new Dictionary<string, string>
            {
                ["memory"] = "512m",
                ["memory-swap"] = "1g",
                ["cpu-quota"] = "50000",
                ["cpu-period"] = "100000",
                ["cpu-shares"] = "512",
                ["cpuset-cpus"] = "0",
                ["restart-policy"] = "on-failure:2",
                ["env.BUILDKIT_STEP_LOG_MAX_SIZE"] = "-1",
                ["env.FOO"] = "bar",
            },
            ["--allow-insecure-entitlement=network.host", "--debug"]);
        var driver = node.CreateDriver();
        var progress = new ProgressLog();

        await driver.BootstrapAsync(progress, CancellationToken.None);

        using var engine = EngineFixture.CreateEngine();
        var container = await new DockerContainers(engine).InspectAsync(node.ContainerName, CancellationToken.None);
        Assert.NotNull(container);
        Assert.Equal("/buildx_buildkit_" + node.NodeName, container.Name);
        Assert.True(container.State.Running);
        Assert.Equal(StandinImage.Reference, container.Config.Image);
        Assert.Equal(["buildkitd"], container.Config.Entrypoint);
        Assert.Equal(["--allow-insecure-entitlement=network.host", "--debug"], container.Config.Cmd);
        Assert.Contains("BUILDKIT_STEP_LOG_MAX_SIZE=-1", container.Config.Env!);
        Assert.Contains("FOO=bar", container.Config.Env!);
        var host = container.HostConfig;
        Assert.True(host.Init);
        Assert.Equal(new ContainerRestartPolicy("on-failure", 2), host.RestartPolicy);
        Assert.Equal(512L << 20, host.Memory);
        Assert.Equal(1L << 30, host.MemorySwap);
        Assert.Equal(50000, host.CpuQuota);
        Assert.Equal(100000, host.CpuPeriod);
        Assert.Equal(512, host.CpuShares);
        Assert.Equal("0", host.CpusetCpus);
        Assert.False(host.Privileged);
        Assert.Equal(["ALL"], host.CapAdd);
        Assert.Equal(["SYS_RESOURCE"], host.CapDrop);
        var info = await engine.GetInfoAsync(CancellationToken.None);
        Assert.Equal(info.CgroupDriver == "cgroupfs" ? "/docker/buildx" : string.Empty, host.CgroupParent ?? string.Empty);
        var state = Assert.Single(container.Mounts, mount => mount.Type == "volume");
        Assert.Equal(node.StateVolumeName, state.Name);
        Assert.Equal("/var/lib/buildkit", state.Destination);
        Assert.True(state.ReadWrite);
        Assert.NotNull(await new DockerVolumes(engine).InspectAsync(node.StateVolumeName, CancellationToken.None));

        // No registry here: the pull fails and the local image is used, as buildx does.
        Assert.Equal(
            ["[internal] booting buildkit", $"pulling image {StandinImage.Reference}", $"using local image {StandinImage.Reference}", $"creating container {node.ContainerName}"],
            progress.Messages);
    }

    [Fact]
    public async Task Status_goes_inactive_running_stopped_running()
    {
        await using var node = await StandinNode.CreateAsync();
        var driver = node.CreateDriver();

        Assert.Equal(NodeStatus.Inactive, await driver.GetStatusAsync(CancellationToken.None));
        await driver.BootstrapAsync(null, CancellationToken.None);
        Assert.Equal(NodeStatus.Running, await driver.GetStatusAsync(CancellationToken.None));
        await driver.StopAsync(CancellationToken.None);
        Assert.Equal(NodeStatus.Stopped, await driver.GetStatusAsync(CancellationToken.None));
        await driver.StopAsync(CancellationToken.None);

        // A later command's driver finds the stopped container and starts it again.
        var again = node.CreateDriver();
        var progress = new ProgressLog();
        await again.BootstrapAsync(progress, CancellationToken.None);

        Assert.Equal(NodeStatus.Running, await again.GetStatusAsync(CancellationToken.None));
        Assert.Equal(["[internal] booting buildkit", $"starting container {node.ContainerName}"], progress.Messages);
    }

    [Fact]
    public async Task Lists_the_engine_worker_through_the_dial_stdio_exec()
    {
        await using var node = await StandinNode.CreateAsync();
        var driver = node.CreateDriver();
        await driver.BootstrapAsync(null, CancellationToken.None);

        using var client = new BuildkitClient(driver.Dialer, driver.EndpointDescription);
        var workers = await client.ListWorkersAsync(CancellationToken.None);

        var worker = Assert.Single(workers);
        Assert.Equal("moby", worker.Id);
        Assert.Contains("linux/amd64", worker.Platforms);
    }

    [Fact]
    public async Task Several_dials_each_get_their_own_exec_and_calls_share_one()
    {
        await using var node = await StandinNode.CreateAsync();
        var driver = node.CreateDriver();
        await driver.BootstrapAsync(null, CancellationToken.None);

        var clients = Enumerable.Range(0, 3).Select(_ => new BuildkitClient(driver.Dialer, driver.EndpointDescription)).ToList();
        try
        {
            var calls = clients.SelectMany(client => Enumerable.Range(0, 4).Select(_ => client.ListWorkersAsync(CancellationToken.None)));
            var results = await Task.WhenAll(calls);

            Assert.Equal(12, results.Length);
            Assert.All(results, workers => Assert.Equal("moby", Assert.Single(workers).Id));

            // One connection per client, one dial-stdio process per connection.
            using var probe = EngineFixture.CreateEngine();
            var running = (await new DockerExec(probe).RunAsync(node.ContainerName, ["ps", "-o", "args"], CancellationToken.None)).Stdout;
            Assert.Equal(3, running.Split('\n').Count(line => line.Contains("buildctl dial-stdio", StringComparison.Ordinal)));
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
        }

        // Closing a client closes its exec's stdin; the relay half-closes to BuildKit and exits.
        using var engine = EngineFixture.CreateEngine();
        var exec = new DockerExec(engine);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string processes;
        do
        {
            await Task.Delay(100);
            processes = (await exec.RunAsync(node.ContainerName, ["ps", "-o", "args"], CancellationToken.None)).Stdout;
        }
        while (processes.Contains("dial-stdio", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.DoesNotContain("dial-stdio", processes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dial_stream_half_closes_and_then_ends()
    {
        await using var node = await StandinNode.CreateAsync();
        var driver = node.CreateDriver();
        await driver.BootstrapAsync(null, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await using var stream = Assert.IsType<MultiplexedStream>(await driver.Dialer(timeout.Token));

        // The HTTP/2 client preface and an empty SETTINGS frame, then end-of-input.
        await stream.WriteAsync(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").Concat(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }).ToArray(), timeout.Token);
        Assert.True(stream.CloseWrite());
        var answer = new MemoryStream();
        await stream.CopyToAsync(answer, timeout.Token);

        // BuildKit still answered after our half-close: its SETTINGS frame (type 4) comes first.
        var bytes = answer.ToArray();
        Assert.True(bytes.Length >= 9, $"only {bytes.Length} bytes came back");
        Assert.Equal(4, bytes[3]);
    }

    [Fact]
    public async Task Reports_the_version_from_buildkitd_version()
    {
        await using var node = await StandinNode.CreateAsync();
        var driver = node.CreateDriver();
        await driver.BootstrapAsync(null, CancellationToken.None);

        Assert.Equal(StandinImage.Version, await driver.GetVersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_loader_reports_a_running_node_with_its_worker_and_the_drivers_version()
    {
        await using var node = await StandinNode.CreateAsync();
        await node.CreateDriver().BootstrapAsync(null, CancellationToken.None);
        var builder = new BuilderDefinition
        {
            Name = "ctest",
            Driver = DockerContainerDriver.DriverName,
            Nodes = [new NodeDefinition { Name = node.NodeName, Endpoint = EngineFixture.Context.Host.Original, DriverOptions = new Dictionary<string, string> { ["image"] = StandinImage.Reference, ["privileged"] = "false" } }],
        };

        var loaded = await new BuilderLoader(new DriverFactory(new DockerContextResolver(new FixedEnvironment(new Dictionary<string, string>(), Path.GetTempPath()))))
            .LoadAsync([builder], "ctest", TimeSpan.FromSeconds(20), CancellationToken.None);

        var result = Assert.Single(Assert.Single(loaded).Nodes);
        Assert.Equal(NodeStatus.Running, result.Status);
        Assert.Equal(["moby"], result.WorkerIds);

        // The engine's BuildKit does not implement Info, so the version comes from the driver.
        Assert.Equal(StandinImage.Version, result.BuildkitVersion);
    }

    [Fact]
    public async Task Remove_keeping_state_leaves_the_volume_for_the_next_container()
    {
        await using var node = await StandinNode.CreateAsync();
        var driver = node.CreateDriver();
        await driver.BootstrapAsync(null, CancellationToken.None);
        using var engine = EngineFixture.CreateEngine();

        await driver.RemoveAsync(keepState: false, keepDaemon: true, CancellationToken.None);
        Assert.Equal(NodeStatus.Running, await driver.GetStatusAsync(CancellationToken.None));

        await driver.RemoveAsync(keepState: true, keepDaemon: false, CancellationToken.None);
        Assert.Equal(NodeStatus.Inactive, await driver.GetStatusAsync(CancellationToken.None));
        Assert.NotNull(await new DockerVolumes(engine).InspectAsync(node.StateVolumeName, CancellationToken.None));

        await driver.BootstrapAsync(null, CancellationToken.None);
        Assert.Equal(NodeStatus.Running, await driver.GetStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Remove_without_keeping_state_removes_the_container_and_its_volume()
    {
        await using var node = await StandinNode.CreateAsync();
        var driver = node.CreateDriver();
        await driver.BootstrapAsync(null, CancellationToken.None);
        using var engine = EngineFixture.CreateEngine();

        await driver.RemoveAsync(keepState: false, keepDaemon: false, CancellationToken.None);

        Assert.Equal(NodeStatus.Inactive, await driver.GetStatusAsync(CancellationToken.None));
        Assert.Null(await new DockerContainers(engine).InspectAsync(node.ContainerName, CancellationToken.None));
        Assert.Null(await new DockerVolumes(engine).InspectAsync(node.StateVolumeName, CancellationToken.None));

        // Removing what is already gone is not an error.
        await driver.RemoveAsync(keepState: false, keepDaemon: false, CancellationToken.None);
    }

    [Fact]
    public async Task A_missing_image_fails_clearly_and_creates_nothing()
    {
        var image = $"buildx-test/absent-{Guid.NewGuid():N}:v1";
        await using var node = await StandinNode.CreateAsync(new Dictionary<string, string> { ["image"] = image });
        var driver = node.CreateDriver();
        var progress = new ProgressLog();

        var error = await Assert.ThrowsAsync<BuildxException>(() => driver.BootstrapAsync(progress, CancellationToken.None));

        Assert.Equal(ErrorIds.BuildkitImageUnavailable, error.ErrorId);
        Assert.Equal(BuildxErrorKind.ResourceUnavailable, error.Kind);
        Assert.Equal(image, error.Target);
        Assert.Contains($"'{image}' is not present on the Docker engine", error.Message, StringComparison.Ordinal);
        Assert.Contains("pulling it failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("image=<reference>", error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorIds.ImagePullFailed, Assert.IsType<BuildxException>(error.InnerException).ErrorId);
        Assert.Contains($"pulling image {image}", progress.Messages);
        Assert.Equal(NodeStatus.Inactive, await driver.GetStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Dialing_a_stopped_node_says_the_container_is_not_running()
    {
        await using var node = await StandinNode.CreateAsync();
        var driver = node.CreateDriver();
        await driver.BootstrapAsync(null, CancellationToken.None);
        await driver.StopAsync(CancellationToken.None);

        using var client = new BuildkitClient(driver.Dialer, driver.EndpointDescription);
        var error = await Assert.ThrowsAsync<BuildxException>(() => client.ListWorkersAsync(CancellationToken.None));

        Assert.Equal(ErrorIds.ContainerNotRunning, error.ErrorId);
        Assert.Contains(node.ContainerName, error.Message, StringComparison.Ordinal);
        Assert.Contains("buildctl dial-stdio", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_files_go_to_etc_buildkit_and_buildkitd_gets_config()
    {
        const string toml = "debug = true\n[worker.oci]\n  max-parallelism = 2\n";
        await using var node = await StandinNode.CreateAsync(
            configFiles: new Dictionary<string, byte[]> { ["buildkitd.toml"] = Encoding.UTF8.GetBytes(toml), ["certs/ca.pem"] = "pem"u8.ToArray() });
        var driver = node.CreateDriver();
        await driver.BootstrapAsync(null, CancellationToken.None);
        using var engine = EngineFixture.CreateEngine();
        var exec = new DockerExec(engine);

        var config = await exec.RunAsync(node.ContainerName, ["cat", "/etc/buildkit/buildkitd.toml"], CancellationToken.None);
        var listing = await exec.RunAsync(node.ContainerName, ["stat", "-c", "%a %n", "/etc/buildkit", "/etc/buildkit/certs", "/etc/buildkit/certs/ca.pem"], CancellationToken.None);
        var container = await new DockerContainers(engine).InspectAsync(node.ContainerName, CancellationToken.None);

        Assert.Equal(toml, config.Stdout);
        Assert.Equal("755 /etc/buildkit\n755 /etc/buildkit/certs\n644 /etc/buildkit/certs/ca.pem\n", listing.Stdout);
        Assert.Equal(["--config", "/etc/buildkit/buildkitd.toml", .. StandinNode.DefaultFlags], container!.Config.Cmd);
    }

    [Fact]
    public async Task By_default_the_container_is_privileged_as_in_buildx()
    {
        await using var node = await StandinNode.CreateAsync(new Dictionary<string, string> { ["privileged"] = "true" });
        var driver = node.CreateDriver();

        // Hosts like this one refuse privileged containers; either way the request was privileged.
        try
        {
            await driver.BootstrapAsync(null, CancellationToken.None);
        }
        catch (BuildxException ex)
        {
            Assert.Equal(ErrorIds.BuildkitBootstrapFailed, ex.ErrorId);
            Assert.Contains($"Cannot start {node.ContainerName}", ex.Message, StringComparison.Ordinal);
            Assert.Contains("privileged=false", ex.Message, StringComparison.Ordinal);
        }

        using var engine = EngineFixture.CreateEngine();
        var container = await new DockerContainers(engine).InspectAsync(node.ContainerName, CancellationToken.None);
        Assert.True(container!.HostConfig.Privileged);
        Assert.Null(container.HostConfig.CapAdd);
    }
}
