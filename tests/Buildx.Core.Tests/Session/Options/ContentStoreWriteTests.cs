using System.Security.Cryptography;
using Buildx.Core.BuildKit.Protocol.Content;
using Buildx.Core.Session.Content;
using Buildx.Core.Tests.Session.Support;
using Google.Protobuf;
using Grpc.Core;

namespace Buildx.Core.Tests.Session.Options;

/// <summary>
/// The write side of the session content store, driven over a real gRPC client the way BuildKit's
/// content proxy drives it (containerd's remote writer): STAT with ref/total/expected, WRITE at the
/// current offset, COMMIT with size and digest; Status, ListStatuses and Abort on the side.
/// </summary>
public sealed class ContentStoreWriteTests : IAsyncLifetime
{
    private const string EmptyDigest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly TempDirectory directory = new();
    private readonly byte[] content = RandomNumberGenerator.GetBytes(300_000);
    private string store = null!;
    private string storeId = null!;
    private LocalContentStoreService service = null!;
    private GrpcTestHarness harness = null!;
    private Content.ContentClient client = null!;
    private Metadata headers = null!;

    private string Digest => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    private string BlobPath => Path.Combine(store, "blobs", "sha256", Digest[7..]);

    public async Task InitializeAsync()
    {
        store = Path.Combine(directory.Path, "cache");
        storeId = "local:" + store;
        service = new LocalContentStoreService([
            new KeyValuePair<string, LayoutContentStore>(storeId, new LayoutContentStore(store, writable: true)),
            new KeyValuePair<string, LayoutContentStore>("local:" + directory.Path, new LayoutContentStore(directory.Path, writable: false)),
        ]);
        harness = await GrpcTestHarness.StartAsync(service.Register);
        client = new Content.ContentClient(harness.Channel);
        headers = new Metadata { { "buildkit-attachable-store-id", storeId } };
    }

    public async Task DisposeAsync()
    {
        await harness.DisposeAsync();
        directory.Dispose();
    }

    [Fact]
    public async Task A_write_in_chunks_resumes_at_the_stored_offset_and_commits_a_verified_blob()
    {
        // First writer: STAT of a new ref, then two chunks, then it goes away without committing.
        using (var first = client.Write(headers))
        {
            var stat = await SendAsync(first, new WriteContentRequest { Action = WriteAction.Stat, Ref = "layer-1", Total = content.Length, Expected = Digest });
            Assert.Equal((WriteAction.Stat, 0L, (long)content.Length, EmptyDigest), (stat.Action, stat.Offset, stat.Total, stat.Digest));
            Assert.NotNull(stat.StartedAt);

            var one = await SendAsync(first, Chunk(0, 100_000));
            var two = await SendAsync(first, Chunk(100_000, 100_000));
            Assert.Equal((100_000L, 200_000L), (one.Offset, two.Offset));
            Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(content.AsSpan(0, 200_000))), two.Digest);
            await first.RequestStream.CompleteAsync();
            Assert.False(await first.ResponseStream.MoveNext());
        }

        // The ingest is kept, outside blobs/, and reported.
        var status = (await client.StatusAsync(new StatusRequest { Ref = "layer-1" }, headers)).Status;
        Assert.Equal(("layer-1", 200_000L, (long)content.Length), (status.Ref, status.Offset, status.Total));
        Assert.Equal(["layer-1"], (await client.ListStatusesAsync(new ListStatusesRequest(), headers)).Statuses.Select(s => s.Ref));
        Assert.Empty((await client.ListStatusesAsync(new ListStatusesRequest { Filters = { "ref==other" } }, headers)).Statuses);
        Assert.False(File.Exists(BlobPath));

        // Second writer: STAT answers the stored offset; the rest goes at that offset; COMMIT verifies.
        using (var second = client.Write(headers))
        {
            var resumed = await SendAsync(second, new WriteContentRequest { Action = WriteAction.Stat, Ref = "layer-1", Total = content.Length, Expected = Digest });
            Assert.Equal(200_000L, resumed.Offset);

            var commit = await SendAsync(second, new WriteContentRequest
            {
                Action = WriteAction.Commit,
                Offset = 200_000,
                Data = ByteString.CopyFrom(content, 200_000, 100_000),
                Total = content.Length,
                Expected = Digest,
            });
            Assert.Equal((WriteAction.Commit, (long)content.Length, Digest), (commit.Action, commit.Offset, commit.Digest));
            await second.RequestStream.CompleteAsync();
        }

        Assert.Equal(content, await File.ReadAllBytesAsync(BlobPath));
        Assert.Equal(content.Length, (await client.InfoAsync(new InfoRequest { Digest = Digest }, headers)).Info.Size);
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await client.StatusAsync(new StatusRequest { Ref = "layer-1" }, headers));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(store, "ingest")));
    }

    [Fact]
    public async Task A_write_at_offset_zero_starts_the_data_over()
    {
        using var call = client.Write(headers);
        await SendAsync(call, new WriteContentRequest { Action = WriteAction.Stat, Ref = "restart" });
        await SendAsync(call, new WriteContentRequest { Action = WriteAction.Write, Data = ByteString.CopyFromUtf8("garbage that is dropped") });

        var restart = await SendAsync(call, Chunk(0, content.Length));
        var commit = await SendAsync(call, new WriteContentRequest { Action = WriteAction.Commit, Offset = content.Length, Total = content.Length, Expected = Digest });

        Assert.Equal((long)content.Length, restart.Offset);
        Assert.Equal(Digest, commit.Digest);
        Assert.Equal(content, await File.ReadAllBytesAsync(BlobPath));
    }

    [Fact]
    public async Task The_remote_writers_largest_chunk_is_taken_in_one_message()
    {
        // containerd's remote writer splits writes at half of gRPC's 16 MiB default message size.
        var large = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(large));
        using var call = client.Write(headers);
        await SendAsync(call, new WriteContentRequest { Action = WriteAction.Stat, Ref = digest, Total = large.Length, Expected = digest });

        var write = await SendAsync(call, new WriteContentRequest { Action = WriteAction.Write, Data = ByteString.CopyFrom(large) });
        var commit = await SendAsync(call, new WriteContentRequest { Action = WriteAction.Commit, Offset = large.Length, Total = large.Length, Expected = digest });

        Assert.Equal((large.LongLength, digest), (write.Offset, commit.Digest));
        Assert.Equal(large, await File.ReadAllBytesAsync(Path.Combine(store, "blobs", "sha256", digest[7..])));
    }

    [Fact]
    public async Task Two_stores_on_one_directory_never_write_the_same_ref_at_once()
    {
        var other = new LocalContentStoreService([new KeyValuePair<string, LayoutContentStore>(storeId, new LayoutContentStore(store, writable: true))]);
        await using var otherHarness = await GrpcTestHarness.StartAsync(other.Register);
        using var holder = client.Write(headers);
        await SendAsync(holder, new WriteContentRequest { Action = WriteAction.Stat, Ref = "shared" });

        using var contender = new Content.ContentClient(otherHarness.Channel).Write(headers);
        var busy = await Assert.ThrowsAsync<RpcException>(() => SendAsync(contender, new WriteContentRequest { Action = WriteAction.Stat, Ref = "shared" }));
        await holder.RequestStream.CompleteAsync();
        Assert.False(await holder.ResponseStream.MoveNext());
        using var next = new Content.ContentClient(otherHarness.Channel).Write(headers);
        var resumed = await SendAsync(next, new WriteContentRequest { Action = WriteAction.Stat, Ref = "shared" });

        Assert.Equal(StatusCode.Unavailable, busy.StatusCode);
        Assert.Equal(0, resumed.Offset);
    }

    [Fact]
    public async Task A_wrong_digest_or_size_fails_the_commit_as_containerd_does_and_leaves_no_blob()
    {
        var wrongDigest = await CommitFailureAsync("wrong-digest", content.Length, "sha256:" + new string('0', 64));
        var wrongSize = await CommitFailureAsync("wrong-size", content.Length + 1, Digest);

        Assert.Equal(StatusCode.FailedPrecondition, wrongDigest.StatusCode);
        Assert.Contains($"unexpected commit digest {Digest}, expected sha256:{new string('0', 64)}", wrongDigest.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.FailedPrecondition, wrongSize.StatusCode);
        Assert.Contains($"unexpected commit size {content.Length}, expected {content.Length + 1}", wrongSize.Status.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(BlobPath));
        Assert.False(Directory.Exists(Path.Combine(store, "blobs")));

        // The failed ingests stay resumable until aborted; Abort removes them, a second Abort finds nothing.
        Assert.Equal(["wrong-digest", "wrong-size"], (await client.ListStatusesAsync(new ListStatusesRequest(), headers)).Statuses.Select(s => s.Ref));
        await client.AbortAsync(new AbortRequest { Ref = "wrong-digest" }, headers);
        await client.AbortAsync(new AbortRequest { Ref = "wrong-size" }, headers);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await client.AbortAsync(new AbortRequest { Ref = "wrong-size" }, headers));
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(store, "ingest")));
    }

    [Fact]
    public async Task A_write_past_the_current_offset_is_out_of_range()
    {
        using var call = client.Write(headers);
        await SendAsync(call, new WriteContentRequest { Action = WriteAction.Stat, Ref = "gap" });
        await SendAsync(call, Chunk(0, 1_000));

        var gap = await Assert.ThrowsAsync<RpcException>(() => SendAsync(call, Chunk(2_000, 1_000)));

        Assert.Equal(StatusCode.OutOfRange, gap.StatusCode);
        Assert.Equal("write @2000 must occur at current offset 1000", gap.Status.Detail);
        Assert.Equal(1_000, (await client.StatusAsync(new StatusRequest { Ref = "gap" }, headers)).Status.Offset);
        Assert.False(File.Exists(BlobPath));
    }

    [Fact]
    public async Task An_existing_blob_is_AlreadyExists_and_a_ref_in_use_is_Unavailable()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(BlobPath)!);
        await File.WriteAllBytesAsync(BlobPath, content);
        using var existing = client.Write(headers);
        var exists = await Assert.ThrowsAsync<RpcException>(() => SendAsync(existing, new WriteContentRequest { Action = WriteAction.Stat, Ref = "dup", Total = content.Length, Expected = Digest }));

        using var holder = client.Write(headers);
        await SendAsync(holder, new WriteContentRequest { Action = WriteAction.Stat, Ref = "busy" });
        using var contender = client.Write(headers);
        var busy = await Assert.ThrowsAsync<RpcException>(() => SendAsync(contender, new WriteContentRequest { Action = WriteAction.Stat, Ref = "busy" }));

        Assert.Equal(StatusCode.AlreadyExists, exists.StatusCode);
        Assert.Equal($"content {Digest}: already exists", exists.Status.Detail);
        Assert.Equal(StatusCode.Unavailable, busy.StatusCode);
        Assert.Equal(content, await File.ReadAllBytesAsync(BlobPath));
    }

    [Fact]
    public async Task A_commit_of_content_that_arrived_meanwhile_is_AlreadyExists_and_drops_the_ingest()
    {
        using var call = client.Write(headers);
        await SendAsync(call, new WriteContentRequest { Action = WriteAction.Stat, Ref = "late" });
        await SendAsync(call, Chunk(0, content.Length));
        Directory.CreateDirectory(Path.GetDirectoryName(BlobPath)!);
        await File.WriteAllBytesAsync(BlobPath, content);

        var late = await Assert.ThrowsAsync<RpcException>(() => SendAsync(call, new WriteContentRequest { Action = WriteAction.Commit, Offset = content.Length, Total = content.Length, Expected = Digest }));

        Assert.Equal(StatusCode.AlreadyExists, late.StatusCode);
        Assert.Empty((await client.ListStatusesAsync(new ListStatusesRequest(), headers)).Statuses);
    }

    [Fact]
    public async Task Stores_are_chosen_by_id_and_read_only_stores_refuse_writes()
    {
        var readOnly = new Metadata { { "buildkit-attachable-store-id", "local:" + directory.Path } };
        using var toReadOnly = client.Write(readOnly);
        var refused = await Assert.ThrowsAsync<RpcException>(() => SendAsync(toReadOnly, new WriteContentRequest { Action = WriteAction.Stat, Ref = "x" }));
        using var toUnknown = client.Write(new Metadata { { "buildkit-attachable-store-id", "local:/nowhere" } });
        var unknown = await Assert.ThrowsAsync<RpcException>(() => SendAsync(toUnknown, new WriteContentRequest { Action = WriteAction.Stat, Ref = "x" }));
        var unnamed = await Assert.ThrowsAsync<RpcException>(async () => await client.StatusAsync(new StatusRequest { Ref = "x" }));
        using var noRef = client.Write(headers);
        var missingRef = await Assert.ThrowsAsync<RpcException>(() => SendAsync(noRef, new WriteContentRequest { Action = WriteAction.Stat }));
        var update = await Assert.ThrowsAsync<RpcException>(async () => await client.UpdateAsync(new UpdateRequest { Info = new Info { Digest = Digest } }, headers));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, unnamed.StatusCode);
        Assert.Equal((StatusCode.InvalidArgument, "first message must have a reference"), (missingRef.StatusCode, missingRef.Status.Detail));
        Assert.Equal(StatusCode.FailedPrecondition, update.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "ingest")));
    }

    private WriteContentRequest Chunk(int offset, int length) => new()
    {
        Action = WriteAction.Write,
        Offset = offset,
        Data = ByteString.CopyFrom(content, offset, length),
    };

    private async Task<RpcException> CommitFailureAsync(string reference, long size, string expected)
    {
        using var call = client.Write(headers);
        await SendAsync(call, new WriteContentRequest { Action = WriteAction.Stat, Ref = reference });
        await SendAsync(call, Chunk(0, content.Length));
        return await Assert.ThrowsAsync<RpcException>(() => SendAsync(call, new WriteContentRequest { Action = WriteAction.Commit, Offset = content.Length, Total = size, Expected = expected }));
    }

    /// <summary>One request, one response: the remote writer's synchronous send.</summary>
    internal static async Task<WriteContentResponse> SendAsync(AsyncDuplexStreamingCall<WriteContentRequest, WriteContentResponse> call, WriteContentRequest request)
    {
        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "the write call ended without an answer");
        return call.ResponseStream.Current;
    }
}
