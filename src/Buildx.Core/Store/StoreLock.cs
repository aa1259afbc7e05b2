using System.Diagnostics;
using Buildx.Core.Errors;

namespace Buildx.Core.Store;

/// <summary>
/// The store-wide exclusive lock on <c>&lt;root&gt;/.lock</c>, the one buildx takes (gofrs/flock):
/// <c>flock(LOCK_EX)</c> on Unix, <c>LockFileEx</c> on byte 0 on Windows. Each holder opens its own
/// descriptor, so the lock excludes other threads of this process as well as other processes,
/// buildx included. .NET's <c>FileStream.Lock</c> would not do: on Unix it takes <c>fcntl</c>
/// record locks, which do not conflict with <c>flock</c>.
/// </summary>
/// <remarks>
/// Waiting polls a non-blocking attempt with a short back-off, so a wait can be cancelled; a
/// blocked <c>flock</c> call cannot be. The lock is not re-entrant: a second transaction on the
/// same thread waits for the first, as in buildx.
/// </remarks>
internal sealed class StoreLock : IDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(50);

    private IHeldFileLock? _lock;

    private StoreLock(IHeldFileLock fileLock) => _lock = fileLock;

    public static StoreLock Acquire(string path, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var fileLock = Open(path);
        try
        {
            var waited = Stopwatch.StartNew();
            var delay = FirstRetryDelay;
            while (!fileLock.TryLock())
            {
                cancellationToken.ThrowIfCancellationRequested();
                ThrowIfTimedOut(path, timeout, waited);
                cancellationToken.WaitHandle.WaitOne(delay);
                delay = NextDelay(delay);
            }

            return new StoreLock(fileLock);
        }
        catch
        {
            fileLock.Dispose();
            throw;
        }
    }

    public static async Task<StoreLock> AcquireAsync(string path, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var fileLock = Open(path);
        try
        {
            var waited = Stopwatch.StartNew();
            var delay = FirstRetryDelay;
            while (!fileLock.TryLock())
            {
                ThrowIfTimedOut(path, timeout, waited);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = NextDelay(delay);
            }

            return new StoreLock(fileLock);
        }
        catch
        {
            fileLock.Dispose();
            throw;
        }
    }

    /// <summary>Takes the lock if it is free now; null if someone holds it.</summary>
    public static StoreLock? TryAcquire(string path)
    {
        var fileLock = Open(path);
        if (fileLock.TryLock())
        {
            return new StoreLock(fileLock);
        }

        fileLock.Dispose();
        return null;
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    private static IHeldFileLock Open(string path) =>
        OperatingSystem.IsWindows() ? WindowsFileLock.Open(path) : UnixFileLock.Open(path);

    private static TimeSpan NextDelay(TimeSpan delay) =>
        delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;

    private static void ThrowIfTimedOut(string path, TimeSpan? timeout, Stopwatch waited)
    {
        if (timeout is { } limit && waited.Elapsed >= limit)
        {
            throw new BuildxException(
                ErrorIds.StoreLocked,
                BuildxErrorKind.OperationTimeout,
                $"The builder store is locked by another process (waited {limit.TotalSeconds:0.###}s for {path}).",
                path);
        }
    }
}

/// <summary>An open lock file on which the exclusive lock can be tried; disposing releases it.</summary>
internal interface IHeldFileLock : IDisposable
{
    bool TryLock();
}
