using System.Text;
using Buildx.Core.BuildKit.Protocol.Fsutil;
using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.FileSync;

/// <summary>
/// Serves <c>/moby.filesync.v1.FileSync/DiffCopy</c> on a build session: BuildKit asks for a local directory by
/// name (the build context as <c>context</c>, the Dockerfile's directory as <c>dockerfile</c>, named contexts)
/// with include/exclude patterns and followpaths, and the client sends that filtered view of it.
/// </summary>
public sealed class FileSyncService
{
    public const string DiffCopyMethod = "/moby.filesync.v1.FileSync/DiffCopy";

    /// <summary>Bytes of file content per DATA packet unless configured otherwise.</summary>
    public const int DefaultChunkSize = 1024 * 1024;

    /// <summary>The daemon's session client accepts messages up to 4 MiB (grpc-go's default): stay well below.</summary>
    public const int MaxChunkSize = 3 * 1024 * 1024;

    /// <summary>Files read and sent at the same time, as in the Go client.</summary>
    public const int DefaultConcurrentFiles = 4;

    private readonly Dictionary<string, string> localDirectories;

    /// <param name="localDirectories">Local names the daemon may ask for, mapped to directory paths.</param>
    /// <param name="chunkSize">Bytes of file content per DATA packet, 1 to <see cref="MaxChunkSize"/>.</param>
    /// <param name="concurrentFiles">Files read and sent at the same time, at least 1.</param>
    /// <exception cref="DirectoryNotFoundException">A path is not an existing directory.</exception>
    public FileSyncService(IReadOnlyDictionary<string, string> localDirectories, int chunkSize = DefaultChunkSize, int concurrentFiles = DefaultConcurrentFiles)
    {
        ArgumentNullException.ThrowIfNull(localDirectories);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, MaxChunkSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrentFiles, 1);

        this.localDirectories = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, path) in localDirectories)
        {
            var fullPath = Path.GetFullPath(path);
            // Checked up front, as the Go client does when it sets up its local mounts.
            if (!Directory.Exists(fullPath))
            {
                throw new DirectoryNotFoundException($"The local directory '{name}' is not a directory: {fullPath}");
            }

            this.localDirectories.Add(name, fullPath);
        }

        ChunkSize = chunkSize;
        ConcurrentFiles = concurrentFiles;
    }

    /// <summary>Local names and the full paths of their directories.</summary>
    public IReadOnlyDictionary<string, string> LocalDirectories => localDirectories;

    public int ChunkSize { get; }

    public int ConcurrentFiles { get; }

    /// <summary>Adds the DiffCopy method to the methods the session serves and advertises.</summary>
    public void Register(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddDuplex<Packet, Packet>(DiffCopyMethod, Packet.Parser, DiffCopyAsync);
    }

    internal async Task DiffCopyAsync(IGrpcStreamReader<Packet> fromReceiver, IGrpcStreamWriter<Packet> toReceiver, GrpcCallContext context)
    {
        var request = FileSyncRequest.FromMetadata(context);
        if (!localDirectories.TryGetValue(request.DirectoryName, out var root))
        {
            throw new GrpcStatusException(StatusCode.NotFound, $"no access allowed to dir {GoQuote(request.DirectoryName)}");
        }

        var statReader = FileStatReader.Create();
        ContextFilter filter;
        try
        {
            filter = ContextFilter.Create(root, request.IncludePatterns, request.ExcludePatterns, request.FollowPaths, statReader);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new GrpcStatusException(StatusCode.Unknown, e.Message);
        }

        using var sender = new DiffCopySender(fromReceiver, toReceiver, ChunkSize, ConcurrentFiles);
        await sender.RunAsync(new ContextWalker(root, filter, statReader), context.CallCancelled).ConfigureAwait(false);
    }

    /// <summary>Go's %q, which BuildKit's error text uses.</summary>
    private static string GoQuote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var ch in value)
        {
            _ = ch switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append(@"\\"),
                '\n' => quoted.Append(@"\n"),
                '\r' => quoted.Append(@"\r"),
                '\t' => quoted.Append(@"\t"),
                < ' ' or '\x7f' => quoted.Append(@"\x").Append(((int)ch).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)),
                _ => quoted.Append(ch),
            };
        }

        return quoted.Append('"').ToString();
    }
}
