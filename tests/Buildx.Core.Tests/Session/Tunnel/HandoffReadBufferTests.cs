using Buildx.Core.Session;
using Buildx.Core.Session.Http2;

namespace Buildx.Core.Tests.Session.Tunnel;

public class HandoffReadBufferTests
{
    [Fact]
    public async Task A_waiting_read_collects_several_writes_and_returns_when_the_producer_publishes()
    {
        var buffer = new HandoffReadBuffer();
        var destination = new byte[10];

        var read = buffer.ReadAsync(destination, CancellationToken.None);
        buffer.Write([1, 2]);
        buffer.Write([3]);
        Assert.False(read.IsCompleted);
        buffer.Publish();

        Assert.Equal(3, await read);
        Assert.Equal(new byte[] { 1, 2, 3 }, destination[..3]);
    }

    [Fact]
    public async Task A_full_read_returns_at_once_and_the_rest_is_queued_in_order()
    {
        var buffer = new HandoffReadBuffer();
        var destination = new byte[2];

        var read = buffer.ReadAsync(destination, CancellationToken.None);
        buffer.Write([1, 2, 3, 4]);
        buffer.Write([5]);

        Assert.Equal(2, await read);
        Assert.Equal(new byte[] { 1, 2 }, destination);
        var rest = new byte[10];
        Assert.Equal(3, await buffer.ReadAsync(rest, CancellationToken.None));
        Assert.Equal(new byte[] { 3, 4, 5 }, rest[..3]);
    }

    [Fact]
    public async Task The_end_comes_after_the_queued_bytes_as_zero_or_as_the_failure()
    {
        var clean = new HandoffReadBuffer();
        clean.Write([9]);
        clean.Complete(null);
        var failed = new HandoffReadBuffer();
        failed.Write([8]);
        failed.Complete(new IOException("cut"));
        var destination = new byte[4];

        Assert.Equal(1, await clean.ReadAsync(destination, CancellationToken.None));
        Assert.Equal(0, await clean.ReadAsync(destination, CancellationToken.None));
        Assert.Equal(1, await failed.ReadAsync(destination, CancellationToken.None));
        var error = await Assert.ThrowsAsync<IOException>(() => failed.ReadAsync(destination, CancellationToken.None).AsTask());
        Assert.Equal("cut", error.Message);
    }

    [Fact]
    public async Task A_cancelled_read_throws_and_the_next_read_works()
    {
        var buffer = new HandoffReadBuffer();
        using var cancellation = new CancellationTokenSource();
        var destination = new byte[4];

        var read = buffer.ReadAsync(destination, cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.AsTask());
        buffer.Write([7]);
        Assert.Equal(1, await buffer.ReadAsync(destination, CancellationToken.None));
        Assert.Equal(7, destination[0]);
    }

    [Fact]
    public async Task Release_fails_a_waiting_read()
    {
        var buffer = new HandoffReadBuffer();

        var read = buffer.ReadAsync(new byte[4], CancellationToken.None);
        buffer.Release();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => read.AsTask());
    }

    /// <summary>On a frame reader's thread a read waits on the lock: it returns a completed task once the producer acts.</summary>
    [Fact]
    public async Task A_read_on_a_frame_reader_thread_blocks_until_the_producer_publishes_ends_or_fails_it()
    {
        var buffer = new HandoffReadBuffer();
        var destination = new byte[10];
        var completedOnReturn = new List<bool>();
        var reader = FrameReaderThread.Run(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                var read = buffer.ReadAsync(destination, CancellationToken.None);
                completedOnReturn.Add(read.IsCompleted);
                try
                {
                    await read;
                }
                catch (IOException)
                {
                }
            }
        });

        buffer.Write([1, 2, 3]);
        Assert.False(reader.IsCompleted);
        buffer.Publish();
        await WaitUntilAsync(() => completedOnReturn.Count == 1);
        Assert.Equal(new byte[] { 1, 2, 3 }, destination[..3]);
        buffer.Write([4]);
        buffer.Publish();
        await WaitUntilAsync(() => completedOnReturn.Count == 2);
        buffer.Complete(new IOException("cut"));
        await reader.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([true, true, true], completedOnReturn);
    }

    [Fact]
    public async Task Cancelling_or_releasing_ends_a_blocked_read_on_a_frame_reader_thread()
    {
        var cancelled = new HandoffReadBuffer();
        var released = new HandoffReadBuffer();
        using var cancellation = new CancellationTokenSource();

        var cancelledRead = FrameReaderThread.Run(async () => await cancelled.ReadAsync(new byte[4], cancellation.Token));
        var releasedRead = FrameReaderThread.Run(async () => await released.ReadAsync(new byte[4], CancellationToken.None));
        await Task.Delay(100);
        Assert.False(cancelledRead.IsCompleted || releasedRead.IsCompleted);
        await cancellation.CancelAsync();
        released.Release();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledRead.WaitAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => releasedRead.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }
}
