using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Buildx.Core.BuildKit.Protocol.Fsutil;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;
using Grpc.Core;
using PacketType = Buildx.Core.BuildKit.Protocol.Fsutil.Packet.Types.PacketType;
using Buildx.Core.Session;

namespace Buildx.Core.Session.FileSync;

/// <summary>
/// The sending side of one fsutil DiffCopy stream (fsutil send.go), run by the client for BuildKit's receiver:
/// <list type="number">
/// <item>a STAT packet per entry in walk order; the receiver numbers them from 0, and that index is the ID it
/// uses to ask for a file;</item>
/// <item>a STAT packet without a stat: the listing is complete;</item>
/// <item>meanwhile, for each REQ{ID} (only entries without type bits can be requested, each once): DATA{ID}
/// chunks of the file and then an empty DATA{ID}; a file that cannot be opened gets only the empty DATA;
/// files are opened only when requested, by up to a few workers at once, so chunks of files interleave;</item>
/// <item>when the receiver has everything it sends FIN; the sender answers FIN and ends the call.</item>
/// </list>
/// An ERR packet from the receiver aborts the transfer; a failure here is reported with an ERR packet and
/// ends the call with an error status.
/// </summary>
internal sealed class DiffCopySender : IDisposable
{
    private static readonly TimeSpan ErrorReportTimeout = TimeSpan.FromSeconds(5);

    private readonly IGrpcStreamReader<Packet> fromReceiver;
    private readonly IGrpcStreamWriter<Packet> toReceiver;
    private readonly int chunkSize;
    private readonly int concurrentFiles;

    // Packets from the stat sender, the request reader and the file senders share one stream.
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, RequestableFile> requestableFiles = new();
    private readonly Channel<FileRequest> fileRequests = Channel.CreateUnbounded<FileRequest>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly object failureLock = new();
    private Exception? firstFailure;

    public DiffCopySender(IGrpcStreamReader<Packet> fromReceiver, IGrpcStreamWriter<Packet> toReceiver, int chunkSize, int concurrentFiles)
    {
        this.fromReceiver = fromReceiver;
        this.toReceiver = toReceiver;
        this.chunkSize = chunkSize;
        this.concurrentFiles = concurrentFiles;
    }

    /// <summary>Runs the transfer to its end.</summary>
    /// <exception cref="GrpcStatusException">The transfer failed here or at the receiver.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    public async Task RunAsync(ContextWalker walker, CancellationToken callCancelled)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(callCancelled);
        var token = abort.Token;

        var tasks = new List<Task>
        {
            // The walk does blocking file system calls between sends.
            Task.Run(() => GuardAsync(() => SendStatsAsync(walker, token), abort), CancellationToken.None),
            GuardAsync(() => ReceiveRequestsAsync(token), abort),
        };
        for (var i = 0; i < concurrentFiles; i++)
        {
            tasks.Add(Task.Run(() => GuardAsync(() => SendRequestedFilesAsync(token), abort), CancellationToken.None));
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);

        var failure = firstFailure;
        if (failure is null)
        {
            return;
        }

        if (failure is OperationCanceledException && callCancelled.IsCancellationRequested)
        {
            throw new OperationCanceledException("The DiffCopy call was cancelled.", failure, callCancelled);
        }

        if (failure is not ReceiverFailedException)
        {
            await TryReportErrorAsync(failure.Message, callCancelled).ConfigureAwait(false);
        }

        throw new GrpcStatusException(StatusCode.Unknown, failure.Message);
    }

    public void Dispose() => writeLock.Dispose();

    private async Task GuardAsync(Func<Task> work, CancellationTokenSource abort)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every failure ends the transfer; the first one is reported.
        catch (Exception e)
#pragma warning restore CA1031
        {
            lock (failureLock)
            {
                firstFailure ??= e;
            }

            await abort.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task SendStatsAsync(ContextWalker walker, CancellationToken token)
    {
        uint id = 0;
        foreach (var entry in walker.Walk(token))
        {
            // Registered before it is sent: the receiver may ask for it as soon as it sees the STAT.
            if (GoFileMode.CanRequestData(entry.Stat.Mode))
            {
                requestableFiles[id] = new RequestableFile(entry.FullPath, entry.Stat.Size);
            }

            await SendAsync(new Packet { Type = PacketType.PacketStat, Stat = entry.Stat }, token).ConfigureAwait(false);
            id = checked(id + 1);
        }

        await SendAsync(new Packet { Type = PacketType.PacketStat }, token).ConfigureAwait(false);
    }

    private async Task ReceiveRequestsAsync(CancellationToken token)
    {
        try
        {
            while (true)
            {
                var packet = await fromReceiver.ReadAsync(token).ConfigureAwait(false)
                    ?? throw new IOException("the receiver ended the stream before FIN");
                switch (packet.Type)
                {
                    case PacketType.PacketErr:
                        throw new ReceiverFailedException("error from receiver: " + packet.Data.ToStringUtf8());
                    case PacketType.PacketReq:
                        if (!requestableFiles.TryRemove(packet.ID, out var file))
                        {
                            throw new InvalidDataException($"invalid file id {packet.ID}");
                        }

                        fileRequests.Writer.TryWrite(new FileRequest(packet.ID, file));
                        break;
                    case PacketType.PacketFin:
                        // All requested files have arrived: nothing more will be asked for.
                        fileRequests.Writer.TryComplete();
                        await SendAsync(new Packet { Type = PacketType.PacketFin }, token).ConfigureAwait(false);
                        return;
                    default:
                        // fsutil's sender ignores anything else from the receiver.
                        break;
                }
            }
        }
        finally
        {
            fileRequests.Writer.TryComplete();
        }
    }

    private async Task SendRequestedFilesAsync(CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        await foreach (var request in fileRequests.Reader.ReadAllAsync(token).ConfigureAwait(false))
        {
            await SendFileAsync(request, buffer, token).ConfigureAwait(false);
        }

        // Only returned on success: after a failure a write might still hold the buffer.
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private async Task SendFileAsync(FileRequest request, byte[] buffer, CancellationToken token)
    {
        // A file listed as empty is sent empty without opening it. That spares a system call per empty file, and
        // where FIFOs and devices cannot be told from files (the managed fallback) it keeps a read from blocking
        // forever or never ending: those report size 0.
        var file = request.File.Size > 0 ? TryOpen(request.File.FullPath) : null;
        if (file is not null)
        {
            await using (file.ConfigureAwait(false))
            {
                int read;
                while ((read = await file.ReadAsync(buffer.AsMemory(0, chunkSize), token).ConfigureAwait(false)) > 0)
                {
                    // No copy: the buffer is reused only after the write has completed, and by then the message
                    // has been serialized.
                    var chunk = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, read));
                    await SendAsync(new Packet { Type = PacketType.PacketData, ID = request.Id, Data = chunk }, token).ConfigureAwait(false);
                }
            }
        }

        await SendAsync(new Packet { Type = PacketType.PacketData, ID = request.Id }, token).ConfigureAwait(false);
    }

    /// <summary>Opened only when requested. As in fsutil, a file that cannot be opened (gone, a socket) is sent empty.</summary>
    private static FileStream? TryOpen(string fullPath)
    {
        try
        {
            return new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private async Task SendAsync(Packet packet, CancellationToken token)
    {
        await writeLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            await toReceiver.WriteAsync(packet, token).ConfigureAwait(false);
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>Best effort: the stream may already be broken, and a stalled receiver must not hold the call open.</summary>
    private async Task TryReportErrorAsync(string message, CancellationToken callCancelled)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(callCancelled);
        timeout.CancelAfter(ErrorReportTimeout);
        try
        {
            await SendAsync(new Packet { Type = PacketType.PacketErr, Data = ByteString.CopyFromUtf8(message) }, timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The original failure is what the caller needs to see.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private readonly record struct RequestableFile(string FullPath, long Size);

    private readonly record struct FileRequest(uint Id, RequestableFile File);

    /// <summary>The receiver sent ERR; it already knows, so no ERR goes back.</summary>
    private sealed class ReceiverFailedException(string message) : Exception(message);
}
