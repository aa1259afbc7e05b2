using System.Threading.Channels;
using Buildx.Core.BuildKit.Protocol.Fsutil;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;
using PacketType = Buildx.Core.BuildKit.Protocol.Fsutil.Packet.Types.PacketType;

namespace Buildx.Core.Session.FileSend;

/// <summary>
/// The receiving side of fsutil's DiffCopy (fsutil receive.go) over a FileSend/DiffCopy call, writing
/// into a staging directory. The daemon is the sender:
/// <list type="number">
/// <item>daemon: STAT per entry in depth-first, byte-sorted order, then a STAT without a stat (end of listing);</item>
/// <item>us: REQ{ID} for every regular file that is not a hard link, ID = 0-based index of its STAT among all STATs,
/// sent as soon as its STAT is handled (the daemon starts sending while still walking);</item>
/// <item>daemon: DATA{ID, chunk}…, then DATA{ID} with no data = end of that file; up to 4 files interleave;</item>
/// <item>us: FIN once the listing has ended and every requested file is complete;</item>
/// <item>daemon: FIN. The transfer is complete; the daemon may then cancel the call rather than close it.</item>
/// </list>
/// ERR from the daemon aborts; on our own failure we send ERR with the reason before failing the call.
/// Packets travel in both directions at once, so requests go out through their own writer: if reading
/// waited on writing, a daemon blocked sending DATA would never read our REQs (a flow-control deadlock).
/// </summary>
internal sealed class FsutilReceiver(IGrpcRawCall call, StagingTreeWriter tree, ExportEntryValidator validator)
{
    private readonly Dictionary<uint, IncomingFile> awaitingData = [];
    private readonly Channel<Packet> outgoing = Channel.CreateUnbounded<Packet>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private uint nextStatId;
    private bool listingEnded;
    private bool finSent;

    public long BytesReceived { get; private set; }

    /// <summary>Runs the transfer to completion; throws (after telling the daemon) if it cannot complete.</summary>
    public async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = SendOutgoingAsync(stop);
        try
        {
            try
            {
                await ReadIncomingAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (finSent)
            {
                // The daemon cancels the call once FINs are exchanged, sometimes before its FIN is
                // read; our FIN went out only after everything had arrived, so the tree is complete.
            }

            outgoing.Writer.TryComplete();
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (finSent)
            {
                // Same race on the sending side: nothing was left to send but the FIN.
            }
        }
        catch (Exception readError)
        {
            var error = writer.IsFaulted ? writer.Exception!.InnerException! : readError;
            if (!cancellationToken.IsCancellationRequested && !writer.IsCompleted)
            {
                // Best effort: fsutil's sender reports "error from receiver: <reason>".
                outgoing.Writer.TryWrite(new Packet { Type = PacketType.PacketErr, Data = ByteString.CopyFromUtf8(error.Message) });
            }

            outgoing.Writer.TryComplete();
            await DrainWriterAsync(writer, stop).ConfigureAwait(false);
            if (!ReferenceEquals(error, readError))
            {
                throw FileSendErrors.WriteFailed("to the export stream", error);
            }

            throw;
        }
        finally
        {
            foreach (var file in awaitingData.Values)
            {
                file.Dispose();
            }
        }
    }

    private async Task ReadIncomingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await call.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            if (message is not { } bytes)
            {
                // fsutil never closes its side before our FIN is echoed; a close after our FIN still
                // leaves a complete tree, since FIN was only sent once everything had arrived.
                if (finSent)
                {
                    return;
                }

                throw FileSendErrors.Protocol("the daemon ended the stream before the transfer was complete");
            }

            var packet = FileSendWire.ReadPacket(bytes);
            switch (packet.Type)
            {
                case PacketType.PacketStat:
                    HandleStat(packet.Stat);
                    break;
                case PacketType.PacketData:
                    HandleData(packet.Id, packet.Data.Span);
                    break;
                case PacketType.PacketFin:
                    if (!finSent)
                    {
                        throw FileSendErrors.Protocol("FIN from the daemon before the receiver finished");
                    }

                    return;
                case PacketType.PacketErr:
                    throw new GrpcStatusException(global::Grpc.Core.StatusCode.Aborted, "error from sender: " + System.Text.Encoding.UTF8.GetString(packet.Data.Span));
                default:
                    // fsutil's receiver ignores anything else (a REQ is meaningless in this direction).
                    break;
            }

            SendFinIfComplete();
        }
    }

    private void HandleStat(Stat? stat)
    {
        if (listingEnded)
        {
            throw FileSendErrors.Protocol("STAT after the end of the listing");
        }

        if (stat is null)
        {
            listingEnded = true;
            return;
        }

        var id = nextStatId++;
        var entry = validator.Accept(stat);
        IncomingFile? file;
        try
        {
            file = tree.Create(entry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw FileSendErrors.WriteFailed(FileSendErrors.Quote(entry.Path), e);
        }

        if (file is not null)
        {
            awaitingData.Add(id, file);
            outgoing.Writer.TryWrite(new Packet { Type = PacketType.PacketReq, ID = id });
        }
    }

    private void HandleData(uint id, ReadOnlySpan<byte> data)
    {
        if (!awaitingData.TryGetValue(id, out var file))
        {
            throw FileSendErrors.Protocol($"DATA for file {id}, which was not requested or is already complete");
        }

        try
        {
            if (data.Length > 0)
            {
                file.Append(data);
                BytesReceived += data.Length;
                return;
            }

            awaitingData.Remove(id);
            file.Complete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw FileSendErrors.WriteFailed(FileSendErrors.Quote(file.Entry.Path), e);
        }
    }

    private void SendFinIfComplete()
    {
        if (listingEnded && !finSent && awaitingData.Count == 0)
        {
            finSent = true;
            outgoing.Writer.TryWrite(new Packet { Type = PacketType.PacketFin });
        }
    }

    private async Task SendOutgoingAsync(CancellationTokenSource stop)
    {
        try
        {
            var reader = outgoing.Reader;
            while (await reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var packet))
                {
                    await call.WriteMessageAsync(packet, stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            // Unblock the reader: without our REQs or FIN the daemon would wait forever.
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Gives the ERR packet a moment to leave, without hanging on a daemon that stopped reading.</summary>
    private static async Task DrainWriterAsync(Task writer, CancellationTokenSource stop)
    {
        // The reader's error is the one to report; the writer's own failure only needs observing.
        _ = writer.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        try
        {
            await writer.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }
}
