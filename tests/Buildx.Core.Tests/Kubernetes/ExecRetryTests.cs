using System.Net.Sockets;
using System.Net.WebSockets;
using Buildx.Core.Errors;
using Buildx.Core.Kubernetes;

namespace Buildx.Core.Tests.Kubernetes;

public sealed class ExecRetryTests
{
    [Fact]
    public async Task Retries_transient_failures_with_buildx_s_backoff_then_succeeds()
    {
        var attempts = 0;
        var waits = new List<int>();

        var result = await ExecRetry.RunAsync(
            _ => ++attempts < 3 ? throw Wrapped(new SocketException((int)SocketError.ConnectionRefused)) : Task.FromResult("stream"),
            n => { waits.Add(n); return TimeSpan.Zero; },
            CancellationToken.None);

        Assert.Equal("stream", result);
        Assert.Equal(3, attempts);
        Assert.Equal([0, 1], waits);
        Assert.Equal([500, 1000, 2000, 4000, 8000, 10000], Enumerable.Range(0, 6).Select(n => ExecRetry.Backoff(n).TotalMilliseconds));
    }

    [Fact]
    public async Task Gives_up_after_five_attempts()
    {
        var attempts = 0;

        var error = await Assert.ThrowsAsync<BuildxException>(() => ExecRetry.RunAsync<string>(
            _ => { attempts++; throw Wrapped(new TimeoutException("deadline")); },
            _ => TimeSpan.Zero,
            CancellationToken.None));

        Assert.Equal(ErrorIds.KubernetesExecFailed, error.ErrorId);
        Assert.Equal(ExecRetry.Attempts, attempts);
    }

    [Fact]
    public async Task Fails_at_once_on_a_refusal_that_waiting_cannot_fix()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<BuildxException>(() => ExecRetry.RunAsync<string>(
            _ => { attempts++; throw Wrapped(new WebSocketException(WebSocketError.NotAWebSocket, "The server returned status code '404'")); },
            _ => TimeSpan.Zero,
            CancellationToken.None));

        Assert.Equal(1, attempts);
    }

    private static BuildxException Wrapped(Exception inner) =>
        new(ErrorIds.KubernetesExecFailed, BuildxErrorKind.ConnectionError, "The Kubernetes API server refused the exec: " + inner.Message, "pod", inner);
}
