using Buildx.Core.Session;

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
}
