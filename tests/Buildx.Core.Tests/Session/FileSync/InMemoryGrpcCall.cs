using System.Threading.Channels;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;

namespace Buildx.Core.Tests.Session.FileSync;

/// <summary>
/// A duplex call without HTTP/2: the handler reads what the test (the daemon's side) writes, and the test
/// reads what the handler writes, serialized at once as a real server would.
/// </summary>
internal sealed class InMemoryGrpcCall : IGrpcRawCall
{
    private readonly Channel<byte[]> toHandler = Channel.CreateUnbounded<byte[]>();
    private readonly Channel<byte[]> fromHandler = Channel.CreateUnbounded<byte[]>();

    public InMemoryGrpcCall(IEnumerable<KeyValuePair<string, string>> requestHeaders, CancellationToken callCancelled) =>
        Context = new GrpcCallContext("/moby.filesync.v1.FileSync/DiffCopy", requestHeaders.ToList(), callCancelled);

    public GrpcCallContext Context { get; }

    /// <summary>Messages from the handler; completes when the handler has returned.</summary>
    public ChannelReader<byte[]> FromHandler => fromHandler.Reader;

    /// <summary>Messages to the handler; complete it to half-close.</summary>
    public ChannelWriter<byte[]> ToHandler => toHandler.Writer;

    public async ValueTask<ReadOnlyMemory<byte>?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        if (await toHandler.Reader.WaitToReadAsync(cancellationToken) && toHandler.Reader.TryRead(out var message))
        {
            return message;
        }

        return null;
    }

    public ReadOnlyMemory<byte>? ReadMessageBlocking(CancellationToken cancellationToken) =>
        ReadMessageAsync(cancellationToken).AsTask().GetAwaiter().GetResult();

    public ValueTask WriteMessageAsync(IMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return fromHandler.Writer.WriteAsync(message.ToByteArray(), cancellationToken);
    }

    public void WriteMessageBlocking(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool flush, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Assert.True(fromHandler.Writer.TryWrite([.. head, .. body]));
    }

    /// <summary>Runs a registered handler on this call and ends the response stream when it returns.</summary>
    public async Task ServeAsync(GrpcServiceRegistry registry)
    {
        Assert.True(registry.TryGet(Context.Method, out var handler));
        try
        {
            await handler(this);
        }
        finally
        {
            EndResponses();
        }
    }

    /// <summary>Ends the response stream, as the server does when a handler returns.</summary>
    public void EndResponses() => fromHandler.Writer.TryComplete();
}
