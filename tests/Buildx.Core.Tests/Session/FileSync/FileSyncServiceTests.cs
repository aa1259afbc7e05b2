using Buildx.Core.BuildKit.Protocol.Fsutil;
using Buildx.Core.Session.FileSync;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;
using Grpc.Core;
using PacketType = Buildx.Core.BuildKit.Protocol.Fsutil.Packet.Types.PacketType;

namespace Buildx.Core.Tests.Session.FileSync;

public class FileSyncServiceTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public void Registers_the_diffcopy_method()
    {
        using var tree = new TempDirectory();
        var registry = new GrpcServiceRegistry();

        new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path }).Register(registry);

        Assert.Equal(["/moby.filesync.v1.FileSync/DiffCopy"], registry.Methods);
    }

    [Fact]
    public void Checks_its_settings()
    {
        using var tree = new TempDirectory();
        var dirs = new Dictionary<string, string> { ["context"] = tree.Path };

        Assert.Throws<ArgumentOutOfRangeException>(() => new FileSyncService(dirs, chunkSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FileSyncService(dirs, chunkSize: FileSyncService.MaxChunkSize + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FileSyncService(dirs, concurrentFiles: 0));
        Assert.Throws<DirectoryNotFoundException>(() => new FileSyncService(new Dictionary<string, string> { ["context"] = Path.Combine(tree.Path, "missing") }));
    }

    [Fact]
    public async Task Sends_every_file_byte_for_byte_in_chunks_and_finishes_with_the_fin_handshake()
    {
        using var tree = new TempDirectory();
        var random = new Random(42);
        var contents = new Dictionary<string, byte[]>
        {
            ["empty"] = [],
            ["one"] = [7],
            ["exact/4096"] = RandomBytes(random, 4096),
            ["exact/4097"] = RandomBytes(random, 4097),
            ["big.bin"] = RandomBytes(random, 300_000),
            ["é/😀 name.txt"] = RandomBytes(random, 5000),
            ["deep/a/b/c/d.txt"] = RandomBytes(random, 10),
        };
        foreach (var (path, bytes) in contents)
        {
            var full = Path.Combine(tree.Path, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllBytesAsync(full, bytes);
        }

        Directory.CreateDirectory(Path.Combine(tree.Path, "empty-dir"));
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(Path.Combine(tree.Path, "link"), "big.bin");
        }

        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path }, chunkSize: 4096);

        var receiver = await TransferAsync(service, [new("dir-name", "context")]);

        Assert.True(receiver.SenderAnsweredFin);
        Assert.Equal(contents.Keys.Order(StringComparer.Ordinal), receiver.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in contents)
        {
            Assert.Equal(bytes, receiver.Files[path]);
        }

        Assert.All(receiver.ChunkSizes, size => Assert.InRange(size, 1, 4096));
        Assert.Contains(receiver.Stats, s => s.Path == "empty-dir");
        Assert.Equal(
            new ContextWalker(tree.Path, ContextFilter.None, FileStatReader.Create()).Walk(CancellationToken.None).Select(e => e.Stat.Path),
            receiver.Stats.Select(s => s.Path));
    }

    [Fact]
    public async Task Uses_large_chunks_by_default()
    {
        using var tree = new TempDirectory();
        var bytes = RandomBytes(new Random(7), (3 * FileSyncService.DefaultChunkSize) + 5);
        await File.WriteAllBytesAsync(Path.Combine(tree.Path, "large"), bytes);
        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path });

        var receiver = await TransferAsync(service, [new("dir-name", "context")]);

        Assert.Equal(bytes, receiver.Files["large"]);
        Assert.All(receiver.ChunkSizes, size => Assert.InRange(size, 1, FileSyncService.DefaultChunkSize));
        Assert.InRange(receiver.ChunkSizes.Count, 4, 8);
    }

    [Fact]
    public async Task Sends_only_the_files_the_receiver_asks_for()
    {
        using var tree = new TempDirectory();
        tree.Write("changed.txt", "new");
        tree.Write("unchanged.txt", "old");
        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path });

        var receiver = await TransferAsync(service, [new("dir-name", "context")], stat => stat.Path == "changed.txt");

        Assert.Equal(["changed.txt"], receiver.Files.Keys);
        Assert.Equal(2, receiver.Stats.Count);
    }

    [Fact]
    public async Task Sends_a_file_that_vanished_before_it_was_requested_as_empty()
    {
        using var tree = new TempDirectory();
        var path = tree.Write("gone.txt", "content");
        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path });

        var receiver = await TransferAsync(service, [new("dir-name", "context")], _ =>
        {
            File.Delete(path);
            return true;
        });

        Assert.Empty(receiver.Files["gone.txt"]);
    }

    [Fact]
    public async Task Applies_the_metadata_filters_of_the_dockerfile_frontend()
    {
        using var tree = new TempDirectory();
        tree.Write("Dockerfile", "FROM scratch");
        tree.Write(".dockerignore", "*.log");
        tree.Write("src/app.cs", "class App {}");
        tree.Write("debug.log", "noise");
        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path, ["dockerfile"] = tree.Path });

        var dockerfile = await TransferAsync(service, [
            new("dir-name", "dockerfile"),
            new("followpaths", "Dockerfile"),
            new("followpaths", "Dockerfile.dockerignore"),
            new("followpaths", "dockerfile"),
        ]);
        var context = await TransferAsync(service, [
            new("dir-name", "context"),
            new("exclude-patterns", "*.log"),
            new("exclude-patterns", "!keep.log"),
        ]);

        Assert.Equal(["Dockerfile"], dockerfile.Stats.Select(s => s.Path));
        Assert.Equal("FROM scratch"u8.ToArray(), dockerfile.Files["Dockerfile"]);
        Assert.Equal([".dockerignore", "Dockerfile", "src", "src/app.cs"], context.Stats.Select(s => s.Path));
    }

    [Fact]
    public async Task Decodes_url_escaped_metadata()
    {
        using var tree = new TempDirectory();
        tree.Write("über.txt", "excluded");
        tree.Write("ok.txt", "sent");
        var service = new FileSyncService(new Dictionary<string, string> { ["köntext"] = tree.Path });

        var receiver = await TransferAsync(service, [
            new("dir-name", "k%C3%B6ntext"),
            new("dir-name-encoded", "1"),
            new("exclude-patterns", "%C3%BCber.txt"),
            new("exclude-patterns-encoded", "true"),
        ]);

        Assert.Equal(["ok.txt"], receiver.Stats.Select(s => s.Path));
    }

    [Fact]
    public async Task Leaves_values_alone_without_the_encoded_flag()
    {
        using var tree = new TempDirectory();
        tree.Write("a%2Bb", "literal");
        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path });

        var receiver = await TransferAsync(service, [new("dir-name", "context"), new("include-patterns", "a%2Bb")]);

        Assert.Equal(["a%2Bb"], receiver.Stats.Select(s => s.Path));
    }

    [Fact]
    public async Task Refuses_an_unknown_directory_name_with_not_found()
    {
        using var tree = new TempDirectory();
        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path });
        using var timeout = new CancellationTokenSource(TestTimeout);
        var call = new InMemoryGrpcCall([new("dir-name", "nope")], timeout.Token);

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => call.ServeAsync(Registry(service)));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("no access allowed to dir \"nope\"", error.Detail);
    }

    [Fact]
    public async Task Refuses_malformed_patterns()
    {
        using var tree = new TempDirectory();
        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path });
        using var timeout = new CancellationTokenSource(TestTimeout);
        var call = new InMemoryGrpcCall([new("dir-name", "context"), new("exclude-patterns", "[")], timeout.Token);

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => call.ServeAsync(Registry(service)));

        Assert.StartsWith("invalid excludepatterns", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_a_request_for_an_entry_without_content_with_an_error_packet()
    {
        using var tree = new TempDirectory();
        tree.Write("dir/file", "x");
        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path });
        using var timeout = new CancellationTokenSource(TestTimeout);
        var call = new InMemoryGrpcCall([new("dir-name", "context")], timeout.Token);
        var serving = call.ServeAsync(Registry(service));

        await ReadUntilEndOfListingAsync(call, timeout.Token);
        // ID 0 is the directory "dir".
        await call.ToHandler.WriteAsync(new Packet { Type = PacketType.PacketReq, ID = 0 }.ToByteArray(), timeout.Token);

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => serving);
        Assert.Equal("invalid file id 0", error.Detail);
        var last = await ReadAllAsync(call, timeout.Token);
        Assert.Equal(PacketType.PacketErr, last[^1].Type);
        Assert.Equal("invalid file id 0", last[^1].Data.ToStringUtf8());
    }

    [Fact]
    public async Task Stops_when_the_receiver_reports_an_error()
    {
        using var tree = new TempDirectory();
        tree.Write("file", "x");
        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path });
        using var timeout = new CancellationTokenSource(TestTimeout);
        var call = new InMemoryGrpcCall([new("dir-name", "context")], timeout.Token);
        var serving = call.ServeAsync(Registry(service));

        await ReadUntilEndOfListingAsync(call, timeout.Token);
        await call.ToHandler.WriteAsync(new Packet { Type = PacketType.PacketErr, Data = ByteString.CopyFromUtf8("disk full") }.ToByteArray(), timeout.Token);

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => serving);
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("error from receiver: disk full", error.Detail);
        // The receiver already knows: no ERR goes back.
        Assert.Empty(await ReadAllAsync(call, timeout.Token));
    }

    [Fact]
    public async Task Fails_when_the_receiver_ends_the_stream_without_fin()
    {
        using var tree = new TempDirectory();
        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path });
        using var timeout = new CancellationTokenSource(TestTimeout);
        var call = new InMemoryGrpcCall([new("dir-name", "context")], timeout.Token);
        var serving = call.ServeAsync(Registry(service));

        await ReadUntilEndOfListingAsync(call, timeout.Token);
        call.ToHandler.Complete();

        await Assert.ThrowsAsync<GrpcStatusException>(() => serving);
    }

    [Fact]
    public async Task Stops_when_the_call_is_cancelled()
    {
        using var tree = new TempDirectory();
        tree.Write("file", "x");
        var service = new FileSyncService(new Dictionary<string, string> { ["context"] = tree.Path });
        using var callCancelled = new CancellationTokenSource();
        using var timeout = new CancellationTokenSource(TestTimeout);
        var call = new InMemoryGrpcCall([new("dir-name", "context")], callCancelled.Token);
        var serving = call.ServeAsync(Registry(service));

        // A receiver that never asks for anything and never finishes.
        await ReadUntilEndOfListingAsync(call, timeout.Token);
        await callCancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serving).WaitAsync(timeout.Token);
    }

    private static GrpcServiceRegistry Registry(FileSyncService service)
    {
        var registry = new GrpcServiceRegistry();
        service.Register(registry);
        return registry;
    }

    private static async Task<FakeFsutilReceiver> TransferAsync(
        FileSyncService service,
        KeyValuePair<string, string>[] headers,
        Func<Stat, bool>? shouldRequest = null)
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var call = new InMemoryGrpcCall(headers, timeout.Token);
        var receiver = new FakeFsutilReceiver(call, shouldRequest);
        var receiving = receiver.RunAsync(timeout.Token);

        await call.ServeAsync(Registry(service));
        await receiving;
        return receiver;
    }

    private static async Task ReadUntilEndOfListingAsync(InMemoryGrpcCall call, CancellationToken cancellationToken)
    {
        while (true)
        {
            var packet = Packet.Parser.ParseFrom(await call.FromHandler.ReadAsync(cancellationToken));
            if (packet.Type == PacketType.PacketStat && packet.Stat is null)
            {
                return;
            }
        }
    }

    private static async Task<List<Packet>> ReadAllAsync(InMemoryGrpcCall call, CancellationToken cancellationToken)
    {
        var packets = new List<Packet>();
        await foreach (var message in call.FromHandler.ReadAllAsync(cancellationToken))
        {
            packets.Add(Packet.Parser.ParseFrom(message));
        }

        return packets;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
