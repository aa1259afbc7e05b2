using Buildx.Core.BuildKit.Protocol.Fsutil;
using Buildx.Core.Session.FileSync;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;
using PacketType = Buildx.Core.BuildKit.Protocol.Fsutil.Packet.Types.PacketType;

namespace Buildx.Core.Tests.Session.FileSync;

public class DiffCopySenderTests
{
    [Fact]
    public async Task A_walk_failure_is_reported_with_an_error_packet_after_the_entries_already_sent()
    {
        using var tree = new TempDirectory();
        tree.Write("a", "a");
        tree.Write("b", "b");
        tree.Write("c", "c");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var call = new InMemoryGrpcCall([], timeout.Token);
        var walker = new ContextWalker(tree.Path, ContextFilter.None, new FailingStatReader(FileStatReader.Create(), failOn: "b"));
        using var sender = new DiffCopySender(new PacketStream(call), new PacketStream(call), chunkSize: 1024, concurrentFiles: 2);

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => sender.RunAsync(walker, timeout.Token));
        call.EndResponses();

        Assert.Equal("lstat b: simulated failure", error.Detail);
        var packets = new List<Packet>();
        await foreach (var message in call.FromHandler.ReadAllAsync(timeout.Token))
        {
            packets.Add(Packet.Parser.ParseFrom(message));
        }

        Assert.Equal([PacketType.PacketStat, PacketType.PacketErr], packets.Select(p => p.Type));
        Assert.Equal("a", packets[0].Stat.Path);
        Assert.Equal("lstat b: simulated failure", packets[1].Data.ToStringUtf8());
    }

    [Fact]
    public async Task Serves_requests_while_the_listing_is_still_being_sent_and_rejects_a_second_request()
    {
        using var tree = new TempDirectory();
        tree.Write("first", "first content");
        tree.Write("second", "second content");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var call = new InMemoryGrpcCall([], timeout.Token);
        var walker = new ContextWalker(tree.Path, ContextFilter.None, FileStatReader.Create());
        using var sender = new DiffCopySender(new PacketStream(call), new PacketStream(call), chunkSize: 4, concurrentFiles: 1);
        var running = sender.RunAsync(walker, timeout.Token);

        var stat = Packet.Parser.ParseFrom(await call.FromHandler.ReadAsync(timeout.Token));
        Assert.Equal("first", stat.Stat.Path);
        await call.ToHandler.WriteAsync(new Packet { Type = PacketType.PacketReq, ID = 0 }.ToByteArray(), timeout.Token);
        var content = new List<byte>();
        while (true)
        {
            var packet = Packet.Parser.ParseFrom(await call.FromHandler.ReadAsync(timeout.Token));
            if (packet.Type == PacketType.PacketData)
            {
                Assert.Equal(0u, packet.ID);
                Assert.InRange(packet.Data.Length, 0, 4);
                if (packet.Data.IsEmpty)
                {
                    break;
                }

                content.AddRange(packet.Data);
            }
        }

        Assert.Equal("first content"u8.ToArray(), content);
        await call.ToHandler.WriteAsync(new Packet { Type = PacketType.PacketReq, ID = 0 }.ToByteArray(), timeout.Token);
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => running);
        Assert.Equal("invalid file id 0", error.Detail);
    }

    /// <summary>The typed view of the in-memory call that the registry would give a handler.</summary>
    private sealed class PacketStream(InMemoryGrpcCall call) : IGrpcStreamReader<Packet>, IGrpcStreamWriter<Packet>
    {
        public async ValueTask<Packet?> ReadAsync(CancellationToken cancellationToken) =>
            await call.ReadMessageAsync(cancellationToken) is { } message ? Packet.Parser.ParseFrom(message.Span) : null;

        public Packet? ReadBlocking(CancellationToken cancellationToken) =>
            call.ReadMessageBlocking(cancellationToken) is { } message ? Packet.Parser.ParseFrom(message.Span) : null;

        public ValueTask WriteAsync(Packet message, CancellationToken cancellationToken) => call.WriteMessageAsync(message, cancellationToken);

        public void WriteEncodedBlocking(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool flush, CancellationToken cancellationToken) =>
            call.WriteMessageBlocking(head, body, flush, cancellationToken);
    }

    private sealed class FailingStatReader(IFileStatReader inner, string failOn) : IFileStatReader
    {
        public bool TryGetStatus(string fullPath, out LocalFileStatus status)
        {
            if (Path.GetFileName(fullPath) == failOn)
            {
                throw new IOException($"lstat {failOn}: simulated failure");
            }

            return inner.TryGetStatus(fullPath, out status);
        }
    }
}
