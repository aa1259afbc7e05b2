namespace Buildx.Core.Session.Http2;

/// <summary>
/// Runs a connection's frame loop on a thread of its own. While the loop runs there, a transport that can
/// wait for data in the kernel (<see cref="Transport.PolledSocketStream"/>) reads synchronously instead
/// of handing every read's completion to the thread pool: the daemon's WINDOW_UPDATEs and requests arrive
/// thousands of times per transfer, and idle pool threads spin between such hand-offs. Should the loop go
/// asynchronous at some await, it simply continues on the pool, with asynchronous reads.
/// </summary>
internal static class FrameReaderThread
{
    [ThreadStatic]
    private static bool current;

    /// <summary>True on the dedicated thread while the loop runs on it.</summary>
    public static bool IsCurrent => current;

    public static Task Run(Func<Task> loop) =>
        Task.Factory.StartNew(
            () =>
            {
                current = true;
                try
                {
                    return loop();
                }
                finally
                {
                    // The loop returned its task: it finished, or continues on the pool from here.
                    current = false;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap();
}
