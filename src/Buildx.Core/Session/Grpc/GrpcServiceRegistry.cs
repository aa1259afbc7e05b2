using Google.Protobuf;

namespace Buildx.Core.Session.Grpc;

/// <summary>
/// The methods a session serves, by full path (<c>/moby.filesync.v1.FileSync/DiffCopy</c>).
/// The session advertises exactly these to the daemon.
/// </summary>
public sealed class GrpcServiceRegistry
{
    private readonly Dictionary<string, Func<IGrpcRawCall, Task>> methods = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Methods => methods.Keys;

    public void AddUnary<TRequest, TResponse>(string path, MessageParser<TRequest> parser, Func<TRequest, GrpcCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(handler);
        methods.Add(path, async call =>
        {
            var reader = new TypedReader<TRequest>(call, parser);
            var request = await reader.ReadAsync(call.Context.CallCancelled).ConfigureAwait(false)
                ?? throw new GrpcStatusException(global::Grpc.Core.StatusCode.Internal, "the request message is missing");
            var response = await handler(request, call.Context).ConfigureAwait(false);
            await call.WriteMessageAsync(response, call.Context.CallCancelled).ConfigureAwait(false);
        });
    }

    public void AddDuplex<TRequest, TResponse>(
        string path,
        MessageParser<TRequest> parser,
        Func<IGrpcStreamReader<TRequest>, IGrpcStreamWriter<TResponse>, GrpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(handler);
        methods.Add(path, call => handler(new TypedReader<TRequest>(call, parser), new TypedWriter<TResponse>(call), call.Context));
    }

    /// <summary>
    /// Registers a method that reads and writes message bytes itself: for methods whose messages
    /// are not what the proto declares (FileSend/DiffCopy carries fsutil Packets for directory exports).
    /// </summary>
    public void AddRaw(string path, Func<IGrpcRawCall, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        methods.Add(path, handler);
    }

    /// <summary>Finds a method; the daemon's paths are matched without regard to case, as BuildKit does.</summary>
    public bool TryGet(string path, out Func<IGrpcRawCall, Task> handler) => methods.TryGetValue(path, out handler!);

    private sealed class TypedReader<T>(IGrpcRawCall call, MessageParser<T> parser) : IGrpcStreamReader<T>
        where T : class, IMessage<T>
    {
        public async ValueTask<T?> ReadAsync(CancellationToken cancellationToken)
        {
            var bytes = await call.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            return bytes is { } message ? parser.ParseFrom(message.Span) : null;
        }

        public T? ReadBlocking(CancellationToken cancellationToken) =>
            call.ReadMessageBlocking(cancellationToken) is { } message ? parser.ParseFrom(message.Span) : null;

        public bool HasBuffered => call.HasBufferedRequestData;
    }

    private sealed class TypedWriter<T>(IGrpcRawCall call) : IGrpcStreamWriter<T>
        where T : class, IMessage<T>
    {
        public ValueTask WriteAsync(T message, CancellationToken cancellationToken) => call.WriteMessageAsync(message, cancellationToken);

        public void WriteEncodedBlocking(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool flush, CancellationToken cancellationToken) =>
            call.WriteMessageBlocking(head, body, flush, cancellationToken);
    }
}
