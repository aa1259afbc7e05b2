using System.Text.RegularExpressions;
using Buildx.Core.BuildKit.Protocol.Content;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Buildx.Core.Session.Content;

/// <summary>
/// The read side of containerd's Content service over OCI layout directories
/// (<c>blobs/sha256/&lt;hex&gt;</c>): BuildKit reads a local cache import's manifest, config and
/// layers through it. The store is picked by the <c>buildkit-attachable-store-id</c> metadata
/// (<c>local:&lt;dir&gt;</c>); only the stores given here can be read.
/// </summary>
public sealed partial class LocalContentStoreService
{
    public const string InfoMethod = "/containerd.services.content.v1.Content/Info";
    public const string ReadMethod = "/containerd.services.content.v1.Content/Read";

    internal const string StoreIdHeader = "buildkit-attachable-store-id";

    private const int ChunkSize = 1 << 20;

    private readonly Dictionary<string, string> stores;

    /// <param name="stores">Store id (<c>local:&lt;dir&gt;</c>) to the layout directory.</param>
    public LocalContentStoreService(IReadOnlyDictionary<string, string> stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        this.stores = new Dictionary<string, string>(stores, StringComparer.Ordinal);
    }

    /// <summary>The digests the daemon read, in order: tests check what an import fetched.</summary>
    public IReadOnlyList<string> ReadDigests => reads.ToArray();

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> reads = new();

    public void Register(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddUnary<InfoRequest, InfoResponse>(InfoMethod, InfoRequest.Parser, (request, context) =>
        {
            var blob = Locate(context, request.Digest);
            var modified = Timestamp.FromDateTime(blob.LastWriteTimeUtc);
            return Task.FromResult(new InfoResponse
            {
                Info = new Info { Digest = request.Digest, Size = blob.Length, CreatedAt = modified, UpdatedAt = modified },
            });
        });
        registry.AddRaw(ReadMethod, ReadAsync);
    }

    private async Task ReadAsync(IGrpcRawCall call)
    {
        var bytes = await call.ReadMessageAsync(call.Context.CallCancelled).ConfigureAwait(false)
            ?? throw new GrpcStatusException(StatusCode.Internal, "the request message is missing");
        var request = ReadContentRequest.Parser.ParseFrom(bytes.Span);
        var blob = Locate(call.Context, request.Digest);
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

    private FileInfo Locate(GrpcCallContext context, string digest)
    {
        var storeId = context.GetValue(StoreIdHeader) ?? string.Empty;
        if (!stores.TryGetValue(storeId, out var directory))
        {
            throw new GrpcStatusException(StatusCode.NotFound, $"content store {storeId} not found");
        }

        var match = DigestPattern().Match(digest);
        if (!match.Success)
        {
            throw new GrpcStatusException(StatusCode.InvalidArgument, $"invalid digest {digest}");
        }

        var blob = new FileInfo(Path.Combine(directory, "blobs", match.Groups[1].Value, match.Groups[2].Value));
        return blob.Exists ? blob : throw new GrpcStatusException(StatusCode.NotFound, $"content digest {digest}: not found");
    }

    [GeneratedRegex("^(sha256|sha512):([a-f0-9]{64}|[a-f0-9]{128})$")]
    private static partial Regex DigestPattern();
}
