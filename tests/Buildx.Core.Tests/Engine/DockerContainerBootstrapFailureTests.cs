using Buildx.Core.BuildKit;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// A container that runs but whose BuildKit never answers: the stand-in pointed at an engine
/// socket that does not exist. Slow on purpose: buildx's readiness wait takes about 14 s.
/// </summary>
public class DockerContainerBootstrapFailureTests
{
    [Fact]
    public async Task Bootstrap_gives_up_after_buildxs_attempts_with_the_probe_error_and_the_log()
    {
        await using var node = await StandinNode.CreateAsync(new Dictionary<string, string> { ["env.BUILDX_STANDIN_ENGINE_SOCKET"] = "/nonexistent.sock" });
        var driver = node.CreateDriver();
        var progress = new ProgressLog();

        var error = await Assert.ThrowsAsync<BuildxException>(() => driver.BootstrapAsync(progress, CancellationToken.None));

        Assert.Equal(ErrorIds.BuildkitBootstrapFailed, error.ErrorId);
        Assert.Equal(node.ContainerName, error.Target);
        Assert.Contains("did not become ready after 16 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("'buildctl debug workers' exited with 1: standin: connect /nonexistent.sock: No such file or directory", error.Message, StringComparison.Ordinal);

        // The container's log (buildkitd's output) goes to progress and into the error.
        Assert.Contains(progress.Messages, line => line.StartsWith("standin buildkitd running; flags:", StringComparison.Ordinal));
        Assert.Contains("standin buildkitd running; flags: --allow-insecure-entitlement=network.host", error.Message, StringComparison.Ordinal);

        // A dial then fails with what dial-stdio said, not with a bare closed connection.
        var dialErrors = new List<string>();
        using var client = new BuildkitClient(node.CreateDriver(dialErrors.Add).Dialer, driver.EndpointDescription);
        var dialError = await Assert.ThrowsAsync<BuildxException>(() => client.ListWorkersAsync(CancellationToken.None));

        Assert.Equal(ErrorIds.BuildkitUnreachable, dialError.ErrorId);
        Assert.Contains($"BuildKit in {node.ContainerName} closed the connection before answering", dialError.Message, StringComparison.Ordinal);
        Assert.Contains("connect /nonexistent.sock", dialError.Message, StringComparison.Ordinal);
        Assert.Contains(dialErrors, line => line.Contains("connect /nonexistent.sock", StringComparison.Ordinal));
    }
}
