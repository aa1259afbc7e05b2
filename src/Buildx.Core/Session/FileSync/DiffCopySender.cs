using System.Buffers;
using System.Collections.Concurrent;
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
/// files are opened only when requested, by up to a few workers at once, so chunks of files interleave.
/// The workers are threads of their own that read and send synchronously: file contents are the bulk of a
/// transfer, and handing each chunk through the thread pool cost more CPU than moving it. A file that fits
/// one chunk is sent by the request reader itself: the engine asks for files one by one as it creates
/// them, and waking a worker for each cost two thread switches per file;</item>
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
    private readonly BlockingCollection<FileRequest> fileRequests = new();
    private readonly ContextFileReader fileReader = ContextFileReader.Create();
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
            // The walk makes blocking file system calls between its sends: a thread of its own, as the file senders.
            GuardAsync(() => Task.Factory.StartNew(() => SendStats(walker, token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default), abort),
            GuardAsync(() => Task.Factory.StartNew(() => ReceiveRequests(token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default), abort),
        };
        for (var i = 0; i < concurrentFiles; i++)
        {
            var worker = Task.Factory.StartNew(() => SendRequestedFiles(token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            tasks.Add(GuardAsync(() => worker, abort));
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

    public void Dispose()
    {
        writeLock.Dispose();
        fileRequests.Dispose();
    }

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

    private void SendStats(ContextWalker walker, CancellationToken token)
    {
        uint id = 0;
        var encoded = new byte[256];
        foreach (var entry in walker.Walk(token))
        {
            // Registered before it is sent: the receiver may ask for it as soon as it sees the STAT.
            if (GoFileMode.CanRequestData(entry.Stat.Mode))
            {
                requestableFiles[id] = new RequestableFile(entry.FullPath, entry.Stat.Size);
            }

            // Listed entries share transport writes; the end of the listing is flushed.
            var packet = new Packet { Type = PacketType.PacketStat, Stat = entry.Stat };
            var size = packet.CalculateSize();
            if (encoded.Length < size)
            {
                encoded = new byte[Math.Max(size, encoded.Length * 2)];
            }

            packet.WriteTo(encoded.AsSpan(0, size));
            SendEncoded(encoded.AsSpan(0, size), flush: false, token);
            id = checked(id + 1);
        }

        SendEncoded(new Packet { Type = PacketType.PacketStat }.ToByteArray(), flush: true, token);
    }

    /// <summary>On a thread of its own, as the senders: the receiver's requests arrive one per file.</summary>
    private void ReceiveRequests(CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            while (true)
            {
                var packet = fromReceiver.ReadBlocking(token)
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

                        if (file.Size <= chunkSize)
                        {
                            SendFile(new FileRequest(packet.ID, file), buffer, token);
                        }
                        else
                        {
                            fileRequests.Add(new FileRequest(packet.ID, file), CancellationToken.None);
                        }

                        break;
                    case PacketType.PacketFin:
                        // All requested files have arrived: nothing more will be asked for.
                        fileRequests.CompleteAdding();
                        SendEncoded(new Packet { Type = PacketType.PacketFin }.ToByteArray(), flush: true, token);
                        // Only returned on success: after a failure the output might still be copying from it.
                        ArrayPool<byte>.Shared.Return(buffer);
                        return;
                    default:
                        // fsutil's sender ignores anything else from the receiver.
                        break;
                }
            }
        }
        finally
        {
            fileRequests.CompleteAdding();
        }
    }

    /// <summary>A worker thread: sends requested files until the receiver has asked for its last one.</summary>
    private void SendRequestedFiles(CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        foreach (var request in fileRequests.GetConsumingEnumerable(token))
        {
            SendFile(request, buffer, token);
        }

        // Only returned on success: after a failure the output might still be copying from it.
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private void SendFile(FileRequest request, byte[] buffer, CancellationToken token)
    {
        // A file listed as empty is sent empty without opening it. That spares a system call per empty file, and
        // where FIFOs and devices cannot be told from files (the managed fallback) it keeps a read from blocking
        // forever or never ending: those report size 0.
        using var file = request.File.Size > 0 ? fileReader.TryOpen(request.File.FullPath) : null;
        if (file is not null)
        {
            int read;
            while ((read = file.Read(buffer.AsSpan(0, chunkSize))) > 0)
            {
                token.ThrowIfCancellationRequested();
                SendData(request.Id, buffer.AsSpan(0, read), endOfFile: false, token);
            }
        }

        SendData(request.Id, [], endOfFile: true, token);
    }

    /// <summary>An encoded packet, on the calling thread (a sender's own).</summary>
    private void SendEncoded(ReadOnlySpan<byte> packet, bool flush, CancellationToken token) =>
        SendBlocking([], packet, flush, flushWhenIdle: false, token);

    /// <summary>DATA{id} with <paramref name="data"/> (empty at the end of the file), on the worker's thread.</summary>
    private void SendData(uint id, ReadOnlySpan<byte> data, bool endOfFile, CancellationToken token)
    {
        Span<byte> head = stackalloc byte[DataPacketHead.MaxLength];
        var headLength = DataPacketHead.Write(head, id, data.Length);
        SendBlocking(head[..headLength], data, flush: false, flushWhenIdle: endOfFile, token);
    }

    /// <summary>
    /// One packet, head then body, under the stream's write lock. Packets share transport writes while more
    /// requests wait, queued or arrived but not yet read; <paramref name="flushWhenIdle"/> flushes when none
    /// does. That is checked under the lock, so any request still waiting is sent (and flushed) after this packet.
    /// </summary>
    private void SendBlocking(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool flush, bool flushWhenIdle, CancellationToken token)
    {
        writeLock.Wait(token);
        try
        {
            toReceiver.WriteEncodedBlocking(head, body, flush || (flushWhenIdle && fileRequests.Count == 0 && !fromReceiver.HasBuffered), token);
        }
        finally
        {
            writeLock.Release();
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
