using System.Text;
using Buildx.Core.Docker;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Engine;

/// <summary>The Engine API exec and container calls, in a running stand-in container.</summary>
public class ContainerExecTests
{
    [Fact]
    public async Task Run_returns_the_exit_code_stdout_and_stderr()
    {
        await using var node = await RunningNodeAsync();
        using var engine = EngineFixture.CreateEngine();

        var result = await new DockerExec(engine).RunAsync(node.ContainerName, ["sh", "-c", "echo out; echo err >&2; echo more; exit 3"], CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out\nmore\n", result.Stdout);
        Assert.Equal("err", result.Stderr);
    }

    [Fact]
    public async Task A_missing_program_is_a_nonzero_exit_not_a_hang()
    {
        await using var node = await RunningNodeAsync();
        using var engine = EngineFixture.CreateEngine();

        var result = await new DockerExec(engine).RunAsync(node.ContainerName, ["no-such-program"], CancellationToken.None);

        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public async Task A_stream_carries_stdin_and_a_half_close_ends_it()
    {
        await using var node = await RunningNodeAsync();
        using var engine = EngineFixture.CreateEngine();
        var exec = new DockerExec(engine);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var id = await exec.CreateAsync(node.ContainerName, ["sh", "-c", "tr a-z A-Z; echo done >&2"], attachStdin: true, timeout.Token);
        var stderr = new List<string>();

        await using var stream = await exec.StartAsync(id, $"exec of 'tr' in container '{node.ContainerName}'", stderr.Add, timeout.Token);
        var payload = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("hello world ", 20_000)));
        var writing = Task.Run(async () =>
        {
            await stream.WriteAsync(payload, timeout.Token);
            stream.CloseWrite();
        });
        var output = new MemoryStream();
        await stream.CopyToAsync(output, timeout.Token);
        await writing;

        Assert.Equal(Encoding.ASCII.GetString(payload).ToUpperInvariant(), Encoding.ASCII.GetString(output.ToArray()));
        Assert.Equal(["done"], stderr);
        var inspection = await exec.InspectAsync(id, timeout.Token);
        Assert.Equal(id, inspection.Id);
    }

    [Fact]
    public async Task Exec_in_a_missing_container_says_so()
    {
        using var engine = EngineFixture.CreateEngine();
        var name = "buildx_buildkit_absent_" + Guid.NewGuid().ToString("N");

        var error = await Assert.ThrowsAsync<BuildxException>(() => new DockerExec(engine).RunAsync(name, ["true"], CancellationToken.None));

        Assert.Equal(ErrorIds.ContainerNotFound, error.ErrorId);
        Assert.Equal(BuildxErrorKind.ObjectNotFound, error.Kind);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Container_calls_on_a_missing_container_say_so()
    {
        using var engine = EngineFixture.CreateEngine();
        var containers = new DockerContainers(engine);
        var name = "buildx_buildkit_absent_" + Guid.NewGuid().ToString("N");

        Assert.Null(await containers.InspectAsync(name, CancellationToken.None));
        var start = await Assert.ThrowsAsync<BuildxException>(() => containers.StartAsync(name, CancellationToken.None));
        var remove = await Assert.ThrowsAsync<BuildxException>(() => containers.RemoveAsync(name, true, true, CancellationToken.None));

        Assert.Equal(ErrorIds.ContainerNotFound, start.ErrorId);
        Assert.Equal(ErrorIds.ContainerNotFound, remove.ErrorId);
        Assert.Contains(name, start.Message, StringComparison.Ordinal);
        Assert.False(await new DockerVolumes(engine).RemoveAsync(name + "_state", false, CancellationToken.None));
        Assert.Null(await new DockerImages(engine).InspectAsync($"buildx-test/absent-{Guid.NewGuid():N}", CancellationToken.None));
    }

    [Fact]
    public async Task Creating_a_second_container_with_the_same_name_is_a_name_conflict()
    {
        await using var node = await RunningNodeAsync();
        using var engine = EngineFixture.CreateEngine();

        var error = await Assert.ThrowsAsync<BuildxException>(() => new DockerContainers(engine).CreateAsync(node.ContainerName, new ContainerSpec { Image = StandinImage.Reference }, CancellationToken.None));

        Assert.Equal(ErrorIds.ContainerNameConflict, error.ErrorId);
        Assert.Equal(node.ContainerName, error.Target);
    }

    [Fact]
    public async Task Exec_in_a_stopped_container_says_it_is_not_running()
    {
        await using var node = await RunningNodeAsync();
        using var engine = EngineFixture.CreateEngine();
        await new DockerContainers(engine).StopAsync(node.ContainerName, TimeSpan.FromSeconds(5), CancellationToken.None);

        var error = await Assert.ThrowsAsync<BuildxException>(() => new DockerExec(engine).RunAsync(node.ContainerName, ["true"], CancellationToken.None));

        Assert.Equal(ErrorIds.ContainerNotRunning, error.ErrorId);
        Assert.Contains(node.ContainerName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_return_the_containers_output()
    {
        await using var node = await RunningNodeAsync();
        using var engine = EngineFixture.CreateEngine();

        var logs = await new DockerContainers(engine).ReadLogsAsync(node.ContainerName, 10, CancellationToken.None);

        Assert.Contains($"standin buildkitd running; flags: {string.Join(' ', StandinNode.DefaultFlags)}", logs);
    }

    private static async Task<StandinNode> RunningNodeAsync()
    {
        var node = await StandinNode.CreateAsync();
        try
        {
            await node.CreateDriver().BootstrapAsync(null, CancellationToken.None);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }
}
