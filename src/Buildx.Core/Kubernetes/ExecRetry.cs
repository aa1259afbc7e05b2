using System.Net.Sockets;
using System.Net.WebSockets;
using Buildx.Core.Errors;

namespace Buildx.Core.Kubernetes;

/// <summary>
/// buildx's retry around the pod exec: 5 attempts, waiting 500 ms·2^n (at most 10 s) between them,
/// and only for transient failures (timeouts, refused or reset connections, closed streams,
/// "tls: internal error"); anything else fails at once.
/// </summary>
internal static class ExecRetry
{
    public const int Attempts = 5;

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> attempt, Func<int, TimeSpan> delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(delay);
        for (var n = 0; ; n++)
        {
            try
            {
                return await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (n < Attempts - 1 && IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(delay(n), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>buildx's backoff: 500 ms doubled per attempt, capped at 10 s.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(500 * Math.Pow(2, attempt), 10_000));

    internal static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case TimeoutException:
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.TimedOut }:
                case WebSocketException { WebSocketErrorCode: WebSocketError.ConnectionClosedPrematurely }:
                case IOException when current.InnerException is null:
                    return true;
            }

            if (current.Message.Contains("tls: internal error", StringComparison.Ordinal))
            {
                return true;
            }

            if (current is BuildxException { ErrorId: not ErrorIds.KubernetesExecFailed })
            {
                return false;
            }
        }

        return false;
    }
}
