using Buildx.Core.BuildKit.Protocol.Content;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Buildx.Core.Session.Content;

/// <summary>
/// containerd's Content service over OCI layout directories, the one content service of a session:
/// BuildKit picks the store with the <c>buildkit-attachable-store-id</c> metadata (<c>local:&lt;dir&gt;</c>
/// for cache imports and exports, a random id for oci-layout contexts). Read-only stores serve Info
/// and Read; writable stores (local cache exports) also take Write, Status, ListStatuses and Abort
/// with containerd's semantics. Update is refused as by containerd's label-less local store.
/// </summary>
public sealed class LocalContentStoreService
{
    private const string Prefix = "/containerd.services.content.v1.Content/";
    public const string InfoMethod = Prefix + "Info";
    public const string ReadMethod = Prefix + "Read";
    public const string UpdateMethod = Prefix + "Update";
    public const string StatusMethod = Prefix + "Status";
    public const string ListStatusesMethod = Prefix + "ListStatuses";
    public const string WriteMethod = Prefix + "Write";
    public const string AbortMethod = Prefix + "Abort";

    internal const string StoreIdHeader = "buildkit-attachable-store-id";

    private const int ChunkSize = 1 << 20;

    private readonly Dictionary<string, LayoutContentStore> stores;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> reads = new();

    /// <param name="stores">Read-only stores: store id to the layout directory.</param>
    public LocalContentStoreService(IReadOnlyDictionary<string, string> stores)
        : this(stores?.Select(s => new KeyValuePair<string, LayoutContentStore>(s.Key, new LayoutContentStore(s.Value, writable: false))) ?? throw new ArgumentNullException(nameof(stores)))
    {
    }

    /// <param name="stores">Store id to store; an id given twice keeps the last.</param>
    public LocalContentStoreService(IEnumerable<KeyValuePair<string, LayoutContentStore>> stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        this.stores = new Dictionary<string, LayoutContentStore>(StringComparer.Ordinal);
        foreach (var (id, store) in stores)
        {
            this.stores[id] = store;
        }
    }

    /// <summary>The digests the daemon read, in order: tests check what an import fetched.</summary>
    public IReadOnlyList<string> ReadDigests => reads.ToArray();

    public IReadOnlyDictionary<string, LayoutContentStore> Stores => stores;

    public void Register(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddUnary<InfoRequest, InfoResponse>(InfoMethod, InfoRequest.Parser, (request, context) =>
        {
            var digest = ContentDigest.Parse(request.Digest);
            var blob = Choose(context).GetBlob(digest);
            var modified = Timestamp.FromDateTime(blob.LastWriteTimeUtc);
            return Task.FromResult(new InfoResponse
            {
                Info = new Info { Digest = request.Digest, Size = blob.Length, CreatedAt = modified, UpdatedAt = modified },
            });
        });
        registry.AddUnary<UpdateRequest, UpdateResponse>(UpdateMethod, UpdateRequest.Parser, (request, context) =>
        {
            ContentDigest.Parse(request.Info?.Digest);
            Choose(context);
            throw new GrpcStatusException(StatusCode.FailedPrecondition, "update not supported on immutable content store: failed precondition");
        });
        registry.AddUnary<StatusRequest, StatusResponse>(StatusMethod, StatusRequest.Parser, (request, context) =>
            Task.FromResult(new StatusResponse { Status = ToProto(Choose(context).Status(request.Ref)) }));
        registry.AddUnary<ListStatusesRequest, ListStatusesResponse>(ListStatusesMethod, ListStatusesRequest.Parser, (request, context) =>
        {
            var filter = IngestFilter.Parse(request.Filters);
            var response = new ListStatusesResponse();
            response.Statuses.AddRange(Choose(context).ListStatuses().Where(s => filter(s.Reference)).Select(ToProto));
            return Task.FromResult(response);
        });
        registry.AddUnary<AbortRequest, Empty>(AbortMethod, AbortRequest.Parser, (request, context) =>
        {
            Choose(context).Abort(request.Ref);
            return Task.FromResult(new Empty());
        });
        registry.AddRaw(ReadMethod, ReadAsync);
        registry.AddRaw(WriteMethod, call => ContentWriteCall.RunAsync(call, Choose));
    }

    private async Task ReadAsync(IGrpcRawCall call)
    {
        var bytes = await call.ReadMessageAsync(call.Context.CallCancelled).ConfigureAwait(false)
            ?? throw new GrpcStatusException(StatusCode.Internal, "the request message is missing");
        var request = ReadContentRequest.Parser.ParseFrom(bytes.Span);
        var digest = ContentDigest.Parse(request.Digest);
        var blob = Choose(call.Context).GetBlob(digest);
        reads.Enqueue(request.Digest);
        if (request.Offset < 0 || request.Offset > blob.Length || request.Size < 0)
        {
            throw new GrpcStatusException(StatusCode.OutOfRange, $"offset {request.Offset} and size {request.Size} are outside blob {request.Digest} of {blob.Length} bytes");
        }

        var end = request.Size == 0 ? blob.Length : Math.Min(blob.Length, request.Offset + request.Size);
        await using var stream = new FileStream(blob.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        stream.Position = request.Offset;
        var buffer = new byte[ChunkSize];
        for (var offset = request.Offset; offset < end;)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, end - offset)), call.Context.CallCancelled).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            await call.WriteMessageAsync(new ReadContentResponse { Offset = offset, Data = ByteString.CopyFrom(buffer, 0, read) }, call.Context.CallCancelled).ConfigureAwait(false);
            offset += read;
        }
    }

    /// <summary>The store named by the request's metadata, answered as BuildKit's attachable store answers.</summary>
    private LayoutContentStore Choose(GrpcCallContext context)
    {
        var storeId = context.GetValue(StoreIdHeader)
            ?? throw new GrpcStatusException(StatusCode.InvalidArgument, $"request lacks metadata \"{StoreIdHeader}\": invalid argument");
        return stores.TryGetValue(storeId, out var store)
            ? store
            : throw new GrpcStatusException(StatusCode.NotFound, $"unknown store {storeId}: not found");
    }

    private static BuildKit.Protocol.Content.Status ToProto(ContentIngestStatus status) => new()
    {
        Ref = status.Reference,
        Offset = status.Offset,
        Total = status.Total,
        StartedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(status.StartedAt, DateTimeKind.Utc)),
        UpdatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(status.UpdatedAt, DateTimeKind.Utc)),
    };
}
