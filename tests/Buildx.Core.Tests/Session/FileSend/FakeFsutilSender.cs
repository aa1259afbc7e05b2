using Buildx.Core.BuildKit.Protocol.Fsutil;
using Google.Protobuf;
using PacketType = Buildx.Core.BuildKit.Protocol.Fsutil.Packet.Types.PacketType;

namespace Buildx.Core.Tests.Session.FileSend;

/// <summary>An entry the fake daemon exports. Mode is a Go os.FileMode.</summary>
internal sealed record FakeEntry(string Path, uint Mode, byte[]? Content = null, string Linkname = "", long ModTimeNanoseconds = 0)
{
    public Stat ToStat() => new()
    {
        Path = Path,
        Mode = Mode,
        Size = Linkname.Length > 0 ? 0 : Content?.Length ?? 0,
        ModTime = ModTimeNanoseconds,
        Linkname = Linkname,
        Uid = 0,
        Gid = 0,
    };
}

/// <summary>
/// Plays BuildKit's side of a local export as fsutil's sender (send.go) does: every STAT in order,
/// an empty STAT, then for each REQ the file's DATA chunks and an empty DATA, up to four files
/// interleaved; FIN is echoed. Hooks let a test misbehave at chosen points.
/// </summary>
internal sealed class FakeFsutilSender(FakeDaemonCall call, IReadOnlyList<FakeEntry> entries)
{
    private const int ParallelFiles = 4;

    public int ChunkSize { get; init; } = 5;

    /// <summary>After this many DATA chunks, the daemon reports an error (PACKET_ERR) and stops.</summary>
    public int? FailAfterDataChunks { get; init; }

    /// <summary>After this many DATA chunks, the daemon cancels the call.</summary>
    public int? CancelAfterDataChunks { get; init; }

    /// <summary>Close the stream right after the listing, sending no data.</summary>
    public bool CloseAfterListing { get; init; }

    /// <summary>After echoing FIN, close the stream (true) or leave it open as BuildKit does (false).</summary>
    public bool CloseAfterFin { get; init; }

    public List<uint> Requested { get; } = [];

    public bool FinReceived { get; private set; }

    public string? ErrorFromReceiver { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            call.Send(new Packet { Type = PacketType.PacketStat, Stat = entry.ToStat() });
        }

        call.Send(new Packet { Type = PacketType.PacketStat });
        if (CloseAfterListing)
        {
            call.CloseSend();
            return;
        }

        var pending = new Queue<uint>();
        var active = new List<(uint Id, byte[] Content, int Offset)>();
        var chunksSent = 0;
        while (true)
        {
            // Send one chunk whenever nothing from the receiver is waiting: files interleave as in fsutil.
            if (!call.TryReadClientMessage(out var message))
            {
                while (active.Count < ParallelFiles && pending.TryDequeue(out var next))
                {
                    active.Add((next, entries[(int)next].Content ?? [], 0));
                }

                if (active.Count > 0)
                {
                    var (id, content, offset) = active[0];
                    active.RemoveAt(0);
                    var length = Math.Min(ChunkSize, content.Length - offset);
                    if (length > 0)
                    {
                        call.Send(new Packet { Type = PacketType.PacketData, ID = id, Data = ByteString.CopyFrom(content, offset, length) });
                    }

                    if (offset + length < content.Length)
                    {
                        active.Add((id, content, offset + length));
                    }
                    else
                    {
                        call.Send(new Packet { Type = PacketType.PacketData, ID = id });
                    }

                    chunksSent++;
                    if (chunksSent == FailAfterDataChunks)
                    {
                        call.Send(new Packet { Type = PacketType.PacketErr, Data = ByteString.CopyFromUtf8("disk on fire") });
                        return;
                    }

                    if (chunksSent == CancelAfterDataChunks)
                    {
                        call.Cancel();
                        return;
                    }

                    await Task.Yield();
                    continue;
                }

                if (!await call.WaitForClientMessageAsync(cancellationToken))
                {
                    return;
                }

                continue;
            }

            var packet = Packet.Parser.ParseFrom(message);
            switch (packet.Type)
            {
                case PacketType.PacketReq:
                    Requested.Add(packet.ID);
                    pending.Enqueue(packet.ID);
                    break;
                case PacketType.PacketFin:
                    FinReceived = true;
                    call.Send(new Packet { Type = PacketType.PacketFin });
                    if (CloseAfterFin)
                    {
                        call.CloseSend();
                    }

                    return;
                case PacketType.PacketErr:
                    ErrorFromReceiver = packet.Data.ToStringUtf8();
                    return;
            }
        }
    }
}
