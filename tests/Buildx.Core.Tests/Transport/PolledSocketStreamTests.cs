using System.Net.Sockets;
using Buildx.Core.Session.Http2;
using Buildx.Core.Transport;

namespace Buildx.Core.Tests.Transport;

public sealed class PolledSocketStreamTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task A_write_larger_than_the_socket_buffer_arrives_whole_through_a_slow_reader()
    {
        var (client, server) = await ConnectedPairAsync();
        using var peer = new NetworkStream(server, ownsSocket: true);
        using var stream = new PolledSocketStream(client);
        var payload = new byte[8 * 1024 * 1024];
        Random.Shared.NextBytes(payload);

        var writing = Task.Run(() => stream.Write(payload, 0, payload.Length));
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (received.Length < payload.Length)
        {
            // A slow reader: the writer meets a full socket and polls for room.
            await Task.Delay(1);
            var read = await peer.ReadAsync(buffer);
            Assert.NotEqual(0, read);
            received.Write(buffer, 0, read);
        }

        await writing;
        Assert.Equal(payload, received.ToArray());
    }

    [Fact]
    public async Task A_read_on_the_frame_reader_thread_gets_the_bytes_and_a_cancelled_wait_ends_at_once()
    {
        var (client, server) = await ConnectedPairAsync();
        using var peer = new NetworkStream(server, ownsSocket: true);
        // No safety-net wake-up: only the cancellation itself can end the second read.
        using var stream = new PolledSocketStream(client, Timeout.InfiniteTimeSpan);
        await peer.WriteAsync("hello"u8.ToArray());
        using var cancel = new CancellationTokenSource();
        var first = new byte[16];
        var firstRead = 0;
        using var waiting = new SemaphoreSlim(0);

        var loop = FrameReaderThread.Run(async () =>
        {
            Assert.True(FrameReaderThread.IsCurrent);
            firstRead = await stream.ReadAsync(first, cancel.Token);
            waiting.Release();
            _ = await stream.ReadAsync(new byte[16], cancel.Token);
        });
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(200);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("hello"u8.ToArray(), first[..firstRead]);
    }

    private async Task<(NetworkStream Client, Socket Server)> ConnectedPairAsync()
    {
        var path = Path.Combine(directory.Path, "s.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var accepting = listener.AcceptAsync();
        var client = EndpointDialer.DialUnixBlocking(path);
        return (client, await accepting);
    }
}
