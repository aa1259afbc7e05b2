using System.Threading.Tasks.Sources;
using Buildx.Core.Session.Http2;

namespace Buildx.Core.Session;

/// <summary>
/// Bytes from a producer loop to one reader. While a read is waiting, the producer copies straight
/// into the reader's buffer (the only copy); only bytes nobody waits for are queued, in pooled
/// segments. A waiting read completes when its buffer is full or the producer says it has nothing
/// more at hand (<see cref="Publish"/>), so one read collects several frames' worth. A read on a frame
/// reader's own thread (<see cref="FrameReaderThread"/>) waits on the lock instead of returning a pending
/// task, so the producer's hand-off wakes that thread directly, without thread-pool work.
/// </summary>
internal sealed class HandoffReadBuffer : IValueTaskSource<int>
{
    private readonly object sync = new();
    private readonly Http2InboundBuffer queued = new();
    private ManualResetValueTaskSourceCore<int> pendingRead = new() { RunContinuationsAsynchronously = true };
    private Memory<byte> destination;
    private int handedOff;
    private bool reading;
    private CancellationToken readToken;
    private CancellationTokenRegistration readCancellation;
    private bool ended;
    private Exception? error;
    private bool released;

    /// <summary>The waiting read is a blocking one (on a frame reader's thread): its outcome goes here, not to the task.</summary>
    private bool blocking;
    private (int Count, Exception? Error)? blockingOutcome;

    /// <summary>Producer: hands bytes to the waiting read, or queues them.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        lock (sync)
        {
            if (ended || released)
            {
                return;
            }

            if (reading && queued.Length == 0)
            {
                var count = Math.Min(data.Length, destination.Length - handedOff);
                data[..count].CopyTo(destination.Span[handedOff..]);
                handedOff += count;
                data = data[count..];
                if (handedOff == destination.Length)
                {
                    CompleteRead(handedOff);
                }
            }

            if (!data.IsEmpty)
            {
                queued.Append(data);
            }
        }
    }

    /// <summary>Producer: nothing more at hand for now; a waiting read that got bytes returns them.</summary>
    public void Publish()
    {
        lock (sync)
        {
            if (reading && handedOff > 0)
            {
                CompleteRead(handedOff);
            }
        }
    }

    /// <summary>Producer: no more bytes. The reader gets what is queued, then 0, or <paramref name="failure"/>.</summary>
    public void Complete(Exception? failure)
    {
        lock (sync)
        {
            if (ended)
            {
                return;
            }

            ended = true;
            error = failure;
            if (reading)
            {
                FinishRead();
            }
        }
    }

    /// <summary>Drops queued bytes for good and fails a waiting read; returns nothing to the pool twice.</summary>
    public void Release()
    {
        lock (sync)
        {
            released = true;
            queued.Release();
            if (!ended)
            {
                ended = true;
                error = new ObjectDisposedException(nameof(HandoffReadBuffer));
                if (reading)
                {
                    FinishRead();
                }
            }
        }
    }

    /// <summary>Reads at least one byte, or returns 0 at the end (or throws the producer's failure).</summary>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        lock (sync)
        {
            if (reading)
            {
                throw new InvalidOperationException("A read is already waiting on this stream.");
            }

            if (queued.Length > 0)
            {
                return new ValueTask<int>(queued.Read(buffer.Span));
            }

            if (ended)
            {
                return error is null ? new ValueTask<int>(0) : ValueTask.FromException<int>(error);
            }

            if (buffer.IsEmpty)
            {
                return new ValueTask<int>(0);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (FrameReaderThread.IsCurrent)
            {
                return WaitForRead(buffer, cancellationToken);
            }

            reading = true;
            destination = buffer;
            handedOff = 0;
            readToken = cancellationToken;
            pendingRead.Reset();
            var version = pendingRead.Version;
            if (cancellationToken.CanBeCanceled)
            {
                // The lock is re-entrant, so a token cancelled just now may run the callback right here.
                readCancellation = cancellationToken.UnsafeRegister(static (state, token) => ((HandoffReadBuffer)state!).CancelRead(token), this);
            }

            return new ValueTask<int>(this, version);
        }
    }

    /// <summary>Under the lock: a read that waits on it until the producer completes, ends or cancels it.</summary>
    private ValueTask<int> WaitForRead(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        reading = true;
        blocking = true;
        destination = buffer;
        handedOff = 0;
        readToken = cancellationToken;
        blockingOutcome = null;
        if (cancellationToken.CanBeCanceled)
        {
            // A token cancelled just now runs the callback right here (the lock is re-entrant).
            readCancellation = cancellationToken.UnsafeRegister(static (state, token) => ((HandoffReadBuffer)state!).CancelRead(token), this);
        }

        while (blockingOutcome is null)
        {
            Monitor.Wait(sync);
        }

        // Registered after a callback that already ended the read: let it go too.
        readCancellation.Unregister();
        readCancellation = default;
        var (count, failure) = blockingOutcome.Value;
        blockingOutcome = null;
        return failure is null ? new ValueTask<int>(count) : ValueTask.FromException<int>(failure);
    }

    int IValueTaskSource<int>.GetResult(short token) => pendingRead.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => pendingRead.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        pendingRead.OnCompleted(continuation, state, token, flags);

    private void CancelRead(CancellationToken token)
    {
        lock (sync)
        {
            // A stale callback may run after its read completed; a new read with the same token is cancelled too, rightly.
            if (!reading || token != readToken)
            {
                return;
            }

            if (handedOff > 0)
            {
                CompleteRead(handedOff);
            }
            else
            {
                FailRead(new OperationCanceledException(token));
            }
        }
    }

    /// <summary>The end came while a read waits: it returns what it has, else the end itself.</summary>
    private void FinishRead()
    {
        if (handedOff > 0 || error is null)
        {
            CompleteRead(handedOff);
        }
        else
        {
            FailRead(error);
        }
    }

    private void CompleteRead(int count)
    {
        if (EndRead())
        {
            blockingOutcome = (count, null);
            Monitor.PulseAll(sync);
        }
        else
        {
            pendingRead.SetResult(count);
        }
    }

    private void FailRead(Exception failure)
    {
        if (EndRead())
        {
            blockingOutcome = (0, failure);
            Monitor.PulseAll(sync);
        }
        else
        {
            pendingRead.SetException(failure);
        }
    }

    /// <returns>Whether the read was a blocking one.</returns>
    private bool EndRead()
    {
        var wasBlocking = blocking;
        reading = false;
        blocking = false;
        destination = default;
        readToken = default;
        // Unregister does not wait for a running callback (which would deadlock on this lock).
        readCancellation.Unregister();
        readCancellation = default;
        return wasBlocking;
    }
}
