using System.Globalization;
using System.Security.Cryptography;

namespace Buildx.Core.Session.Content;

/// <summary>
/// One in-progress write, kept as containerd's local store keeps it: <c>ingest/&lt;sha256 of ref&gt;/</c>
/// holding <c>ref</c>, <c>data</c>, <c>total</c> and <c>startedat</c>. The data never sits under
/// <c>blobs/</c> until it is committed and verified. Reopening the same ref resumes at the data's
/// length, re-hashing what is there.
/// </summary>
internal sealed class ContentIngest : IDisposable
{
    private const string RefFile = "ref";
    private const string DataFile = "data";
    private const string TotalFile = "total";
    private const string StartedFile = "startedat";

    private readonly FileStream data;
    private IncrementalHash hash;
    private int released;

    private ContentIngest(string directory, string reference, FileStream data, IncrementalHash hash, long total, DateTime startedAt)
    {
        Directory = directory;
        Reference = reference;
        this.data = data;
        this.hash = hash;
        Total = total;
        StartedAt = startedAt;
        UpdatedAt = startedAt;
        Offset = data.Length;
    }

    public string Directory { get; }

    public string Reference { get; }

    public string DataPath => Path.Combine(Directory, DataFile);

    public long Offset { get; private set; }

    public long Total { get; private set; }

    public DateTime StartedAt { get; }

    public DateTime UpdatedAt { get; private set; }

    public HashAlgorithmName Algorithm { get; private set; }

    /// <summary>The digest of the data written so far.</summary>
    public string Digest => ContentDigest.Of(Algorithm, hash.GetCurrentHash());

    /// <summary>The ingest directory of a ref inside a store's ingest root (constant length whatever the ref).</summary>
    public static string DirectoryFor(string ingestRoot, string reference) =>
        Path.Combine(ingestRoot, Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(reference))).ToLowerInvariant());

    /// <summary>Opens the ref's ingest, resuming a valid one (same ref, same total) or starting it over.</summary>
    public static ContentIngest Open(string directory, string reference, long total, HashAlgorithmName algorithm)
    {
        var startedAt = DateTime.UtcNow;
        if (TryReadStatus(directory) is { } existing && existing.Reference == reference && (total <= 0 || existing.Total <= 0 || total == existing.Total))
        {
            startedAt = existing.StartedAt;
            total = existing.Total > 0 ? existing.Total : total;
        }
        else
        {
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }

            System.IO.Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, RefFile), reference);
            File.WriteAllText(Path.Combine(directory, StartedFile), startedAt.ToString("O", CultureInfo.InvariantCulture));
            if (total > 0)
            {
                File.WriteAllText(Path.Combine(directory, TotalFile), total.ToString(CultureInfo.InvariantCulture));
            }
        }

        // Unbuffered: Status on another call reads the data file's length.
        var data = new FileStream(Path.Combine(directory, DataFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            var ingest = new ContentIngest(directory, reference, data, IncrementalHash.CreateHash(algorithm), total, startedAt) { Algorithm = algorithm };
            ingest.Rehash(algorithm);
            data.Seek(0, SeekOrigin.End);
            return ingest;
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>The status of an ingest on disk, or null when there is none (or it is unreadable).</summary>
    public static ContentIngestStatus? TryReadStatus(string directory)
    {
        try
        {
            var dataFile = new FileInfo(Path.Combine(directory, DataFile));
            var refFile = Path.Combine(directory, RefFile);
            if (!dataFile.Exists || !File.Exists(refFile))
            {
                return null;
            }

            var totalFile = Path.Combine(directory, TotalFile);
            var total = File.Exists(totalFile) ? long.Parse(File.ReadAllText(totalFile), CultureInfo.InvariantCulture) : 0;
            var started = DateTime.Parse(File.ReadAllText(Path.Combine(directory, StartedFile)), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            return new ContentIngestStatus(File.ReadAllText(refFile), dataFile.Length, total, started, dataFile.LastWriteTimeUtc);
        }
        catch (Exception ex) when (ex is IOException or FormatException or OverflowException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        data.Write(bytes);
        hash.AppendData(bytes);
        Offset += bytes.Length;
        UpdatedAt = DateTime.UtcNow;
    }

    /// <summary>Starts the data over, as a write at offset 0 does in containerd.</summary>
    public void Truncate()
    {
        data.SetLength(0);
        data.Seek(0, SeekOrigin.Begin);
        hash.Dispose();
        hash = IncrementalHash.CreateHash(Algorithm);
        Offset = 0;
        UpdatedAt = DateTime.UtcNow;
    }

    public void SetTotal(long total) => Total = total;

    /// <summary>Flushes the data to disk and re-hashes it with <paramref name="algorithm"/> if that is not the running one.</summary>
    public void Flush(HashAlgorithmName algorithm)
    {
        data.Flush(flushToDisk: true);
        if (algorithm != Algorithm)
        {
            Rehash(algorithm);
        }
    }

    /// <summary>True the first time only: a writer gives its ref's lock back once.</summary>
    public bool MarkReleased() => Interlocked.Exchange(ref released, 1) == 0;

    public ContentIngestStatus Status => new(Reference, Offset, Total, StartedAt, UpdatedAt);

    public void Dispose()
    {
        data.Dispose();
        hash.Dispose();
    }

    private void Rehash(HashAlgorithmName algorithm)
    {
        hash.Dispose();
        hash = IncrementalHash.CreateHash(algorithm);
        Algorithm = algorithm;
        var position = data.Position;
        data.Seek(0, SeekOrigin.Begin);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = data.Read(buffer)) > 0)
        {
            hash.AppendData(buffer.AsSpan(0, read));
        }

        data.Seek(position, SeekOrigin.Begin);
    }
}
