using System.Threading.Channels;
using Buildx.Core.BuildKit.Protocol.Fsutil;
using Google.Protobuf;
using PacketType = Buildx.Core.BuildKit.Protocol.Fsutil.Packet.Types.PacketType;

namespace Buildx.Core.Tests.Session.FileSync;

/// <summary>
/// The daemon's side of DiffCopy (fsutil receive.go), restated: checks the STAT order, asks for file content
/// with REQ as soon as it sees each STAT, reassembles DATA chunks until the empty end chunk, sends FIN once the
/// listing has ended and every requested file is complete, expects the FIN answer and then the end of the stream.
/// </summary>
internal sealed class FakeFsutilReceiver(InMemoryGrpcCall call, Func<Stat, bool>? shouldRequest = null)
{
    private const uint TypeBits = (1u << 31) | (1u << 27) | (1u << 26) | (1u << 25) | (1u << 24) | (1u << 21) | (1u << 19);

    public List<Stat> Stats { get; } = [];

    /// <summary>Content of each completed file, by path.</summary>
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public List<int> ChunkSizes { get; } = [];

    public bool SenderAnsweredFin { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var validator = new FsutilOrderValidator();
        var pending = new Dictionary<uint, (string Path, MemoryStream Content)>();
        var listingEnded = false;
        var finSent = false;
        uint nextId = 0;

        await foreach (var message in call.FromHandler.ReadAllAsync(cancellationToken))
        {
            var packet = Packet.Parser.ParseFrom(message);
            if (SenderAnsweredFin)
            {
                throw new InvalidOperationException($"{packet.Type} after FIN");
            }

            switch (packet.Type)
            {
                case PacketType.PacketStat when packet.Stat is null:
                    Require(!listingEnded, "a second end of listing");
                    listingEnded = true;
                    break;
                case PacketType.PacketStat:
                    Require(!listingEnded, "STAT after the end of listing");
                    validator.Add(packet.Stat.Path, (packet.Stat.Mode & (1u << 31)) != 0);
                    Stats.Add(packet.Stat);
                    var id = nextId++;
                    if ((packet.Stat.Mode & TypeBits) == 0 && (shouldRequest?.Invoke(packet.Stat) ?? true))
                    {
                        pending.Add(id, (packet.Stat.Path, new MemoryStream()));
                        await SendAsync(new Packet { Type = PacketType.PacketReq, ID = id }, cancellationToken);
                    }

                    break;
                case PacketType.PacketData:
                    Require(pending.TryGetValue(packet.ID, out var file), $"DATA for {packet.ID}, which was not requested or is complete");
                    if (packet.Data.IsEmpty)
                    {
                        Files.Add(file.Path, file.Content.ToArray());
                        pending.Remove(packet.ID);
                    }
                    else
                    {
                        ChunkSizes.Add(packet.Data.Length);
                        file.Content.Write(packet.Data.Span);
                    }

                    break;
                case PacketType.PacketFin:
                    Require(finSent, "FIN before the receiver's FIN");
                    SenderAnsweredFin = true;
                    break;
                case PacketType.PacketErr:
                    throw new InvalidOperationException("error from sender: " + packet.Data.ToStringUtf8());
                default:
                    throw new InvalidOperationException($"unexpected {packet.Type}");
            }

            if (listingEnded && pending.Count == 0 && !finSent)
            {
                finSent = true;
                await SendAsync(new Packet { Type = PacketType.PacketFin }, cancellationToken);
                call.ToHandler.TryComplete();
            }
        }

        Require(SenderAnsweredFin, "the stream ended without the FIN answer");
    }

    private async Task SendAsync(Packet packet, CancellationToken cancellationToken) =>
        await call.ToHandler.WriteAsync(packet.ToByteArray(), cancellationToken);

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException(problem);
        }
    }
}
