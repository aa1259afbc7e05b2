using System.Threading.Channels;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;

namespace Buildx.Core.Tests.Session.FileSend;

/// <summary>
/// One FileSend/DiffCopy call as the session server would hand it to the handler, wired to an
/// in-memory daemon: what the daemon sends is read by the handler, what the handler writes goes to the daemon.
/// </summary>
internal sealed class FakeDaemonCall : IGrpcRawCall, IDisposable
{
    private readonly Channel<byte[]> toClient = Channel.CreateUnbounded<byte[]>();
    private readonly Channel<byte[]> toDaemon = Channel.CreateUnbounded<byte[]>();
    private readonly CancellationTokenSource cancellation = new();

    public FakeDaemonCall(params (string Key, string Value)[] headers)
    {
        Context = new GrpcCallContext(
            "/moby.filesync.v1.FileSend/DiffCopy",
            headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value)).ToArray(),
            cancellation.Token);
    }

    public GrpcCallContext Context { get; }

    private int readCalls;

    /// <summary>How many times the handler has asked for a message (n + 1 means it consumed n and waits).</summary>
    public int ReadCalls => Volatile.Read(ref readCalls);

    // The handler's side.
    public async ValueTask<ReadOnlyMemory<byte>?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref readCalls);
        if (!await toClient.Reader.WaitToReadAsync(cancellationToken))
        {
            return null;
        }

        return toClient.Reader.TryRead(out var message) ? message : null;
    }

    public ReadOnlyMemory<byte>? ReadMessageBlocking(CancellationToken cancellationToken) =>
        ReadMessageAsync(cancellationToken).AsTask().GetAwaiter().GetResult();

    public ValueTask WriteMessageAsync(IMessage message, CancellationToken cancellationToken) =>
        toDaemon.Writer.WriteAsync(message.ToByteArray(), cancellationToken);

    public void WriteMessageBlocking(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool flush, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        toDaemon.Writer.TryWrite([.. head, .. body]);
    }

    // The daemon's side.
    public void Send(IMessage message) => toClient.Writer.TryWrite(message.ToByteArray());

    public void SendRaw(byte[] message) => toClient.Writer.TryWrite(message);

    /// <summary>The daemon half-closes its side.</summary>
    public void CloseSend() => toClient.Writer.TryComplete();

    /// <summary>The daemon cancels the call (RST_STREAM).</summary>
    public void Cancel() => cancellation.Cancel();

    public ValueTask<bool> WaitForClientMessageAsync(CancellationToken cancellationToken) => toDaemon.Reader.WaitToReadAsync(cancellationToken);

    public bool TryReadClientMessage(out byte[] message) => toDaemon.Reader.TryRead(out message!);

    /// <summary>The server ends the call once the handler returns.</summary>
    public void EndCall() => toDaemon.Writer.TryComplete();

    public void Dispose() => cancellation.Dispose();
}
