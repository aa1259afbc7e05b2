namespace Buildx.Core.Tests.Session.Support;

/// <summary>A one-way, unbounded in-memory byte pipe with end-of-stream, for driving a connection from a test.</summary>
internal sealed class BytePipe
{
    private readonly object gate = new();
    private readonly Queue<byte[]> chunks = new();
    private byte[]? current;
    private int currentOffset;
    private bool completed;
    private TaskCompletionSource? waiter;

    /// <summary>Every byte ever written, for tests that inspect the whole output afterwards.</summary>
    public MemoryStream Recorded { get; } = new();

    /// <summary>Optional delay per write, to make a writer batch its output.</summary>
    public TimeSpan WriteDelay { get; set; }

    public int Writes { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        lock (gate)
        {
            if (completed)
            {
                throw new IOException("The pipe is closed.");
            }

            Writes++;
            Recorded.Write(data);
            if (data.Length > 0)
            {
                chunks.Enqueue(data.ToArray());
            }

            Wake();
        }
    }

    public void Complete()
    {
        lock (gate)
        {
            completed = true;
            Wake();
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (gate)
            {
                if (current is null && chunks.Count > 0)
                {
                    current = chunks.Dequeue();
                    currentOffset = 0;
                }

                if (current is not null)
                {
                    var count = Math.Min(destination.Length, current.Length - currentOffset);
                    current.AsSpan(currentOffset, count).CopyTo(destination.Span);
                    currentOffset += count;
                    if (currentOffset == current.Length)
                    {
                        current = null;
                    }

                    return count;
                }

                if (completed)
                {
                    return 0;
                }

                waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = waiter.Task;
            }

            await wait.WaitAsync(cancellationToken);
        }
    }

    private void Wake()
    {
        waiter?.TrySetResult();
        waiter = null;
    }
}
