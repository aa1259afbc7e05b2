using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.Content;

/// <summary>
/// One OCI layout directory served as a content store: blobs under <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c>,
/// and, when writable, in-progress writes under <c>ingest/</c> as containerd's local store keeps them.
/// A writable store remembers what each solve ingested and committed, so a failed export can be
/// undone (<see cref="Abandon"/>) and a finished one cleaned of leftover ingests (<see cref="Finish"/>).
/// </summary>
public sealed class LayoutContentStore
{
    /// <summary>
    /// Ingests being written, by directory, across every store of the process: the nodes of a
    /// multi-node build export into the same dest through stores of their own.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> WritingIngests = new(StringComparer.Ordinal);

    private readonly object gate = new();
    private readonly HashSet<string> openRefs = new(StringComparer.Ordinal);
    private readonly HashSet<string> solveRefs = new(StringComparer.Ordinal);
    private readonly List<string> solveBlobs = [];
    private readonly List<string> solveDirectories = [];
    private bool sealedForWrites;

    public LayoutContentStore(string directory, bool writable)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
        Writable = writable;
    }

    public string Directory { get; }

    public bool Writable { get; }

    private string IngestRoot => Path.Combine(Directory, "ingest");

    /// <summary>The committed blob, or null.</summary>
    internal FileInfo? FindBlob(ContentDigest digest)
    {
        var blob = new FileInfo(BlobPath(digest));
        return blob.Exists ? blob : null;
    }

    /// <exception cref="GrpcStatusException">NotFound, as containerd answers a missing blob.</exception>
    internal FileInfo GetBlob(ContentDigest digest) =>
        FindBlob(digest) ?? throw new GrpcStatusException(StatusCode.NotFound, $"content {digest}: not found");

    /// <summary>Lets writes in again: a solve that may export into this store starts.</summary>
    public void BeginSolve()
    {
        lock (gate)
        {
            sealedForWrites = false;
            solveRefs.Clear();
            solveBlobs.Clear();
            solveDirectories.Clear();
        }
    }

    /// <summary>
    /// Opens (or resumes) the ingest of a ref, locked to one writer at a time. Refuses with
    /// AlreadyExists when the expected blob is already committed, as containerd's local store does.
    /// </summary>
    internal ContentIngest OpenIngest(string reference, long total, ContentDigest? expected)
    {
        lock (gate)
        {
            if (!Writable)
            {
                throw new GrpcStatusException(StatusCode.PermissionDenied, $"content store {Directory} is read-only: it serves a cache import or an oci-layout context");
            }

            if (sealedForWrites)
            {
                throw new GrpcStatusException(StatusCode.Unavailable, $"content store {Directory} no longer takes writes: its build has ended");
            }

            if (expected is { } digest && FindBlob(digest) is not null)
            {
                throw new GrpcStatusException(StatusCode.AlreadyExists, $"content {digest}: already exists");
            }

            // containerd answers Unavailable for a ref being written; BuildKit's writer retries on it.
            var ingestDirectory = ContentIngest.DirectoryFor(IngestRoot, reference);
            if (openRefs.Contains(reference) || !WritingIngests.TryAdd(ingestDirectory, 0))
            {
                throw new GrpcStatusException(StatusCode.Unavailable, $"ref {reference} locked: another write of it is in progress: unavailable");
            }

            openRefs.Add(reference);
            try
            {
                EnsureDirectory(Directory);
                EnsureDirectory(IngestRoot);
                solveRefs.Add(reference);
                var algorithm = expected?.HashAlgorithm ?? System.Security.Cryptography.HashAlgorithmName.SHA256;
                return ContentIngest.Open(ingestDirectory, reference, total, algorithm);
            }
            catch
            {
                openRefs.Remove(reference);
                WritingIngests.TryRemove(ingestDirectory, out _);
                throw;
            }
        }
    }

    /// <summary>Ends a writer's hold on its ref; the ingest stays on disk to be resumed or aborted.</summary>
    internal void Release(ContentIngest ingest)
    {
        ingest.Dispose();
        if (ingest.MarkReleased())
        {
            lock (gate)
            {
                openRefs.Remove(ingest.Reference);
                WritingIngests.TryRemove(ingest.Directory, out _);
            }
        }
    }

    /// <summary>
    /// Verifies size and digest and moves the data into <c>blobs/</c>, then removes the ingest.
    /// FailedPrecondition on a mismatch (the ingest stays, as in containerd); AlreadyExists when
    /// the blob appeared meanwhile (the ingest is removed).
    /// </summary>
    internal string Commit(ContentIngest ingest, long size, ContentDigest? expected)
    {
        // As in containerd, a commit ends the writer whatever its outcome.
        ingest.Flush(expected?.HashAlgorithm ?? ingest.Algorithm);
        var actual = ingest.Digest;
        ingest.Dispose();
        if (size > 0 && size != ingest.Offset)
        {
            throw new GrpcStatusException(StatusCode.FailedPrecondition, $"unexpected commit size {ingest.Offset}, expected {size}: failed precondition");
        }

        if (expected is { } wanted && wanted.ToString() != actual)
        {
            throw new GrpcStatusException(StatusCode.FailedPrecondition, $"unexpected commit digest {actual}, expected {wanted}: failed precondition");
        }

        var digest = ContentDigest.Parse(actual);
        lock (gate)
        {
            var target = BlobPath(digest);
            EnsureDirectory(Path.Combine(Directory, "blobs"));
            EnsureDirectory(Path.GetDirectoryName(target)!);
            if (File.Exists(target))
            {
                RemoveIngest(ingest.Directory);
                throw new GrpcStatusException(StatusCode.AlreadyExists, $"content {digest}: already exists");
            }

            File.Move(ingest.DataPath, target);
            solveBlobs.Add(target);
            RemoveIngest(ingest.Directory);
            return actual;
        }
    }

    /// <exception cref="GrpcStatusException">NotFound when the ref has no ingest.</exception>
    internal ContentIngestStatus Status(string reference) =>
        ContentIngest.TryReadStatus(ContentIngest.DirectoryFor(IngestRoot, reference)) is { } status && status.Reference == reference
            ? status
            : throw new GrpcStatusException(StatusCode.NotFound, $"could not get status for ref \"{reference}\": ingest {reference}: not found");

    internal IReadOnlyList<ContentIngestStatus> ListStatuses()
    {
        if (!System.IO.Directory.Exists(IngestRoot))
        {
            return [];
        }

        return System.IO.Directory.EnumerateDirectories(IngestRoot)
            .Select(ContentIngest.TryReadStatus)
            .OfType<ContentIngestStatus>()
            .OrderBy(s => s.Reference, StringComparer.Ordinal)
            .ToArray();
    }

    /// <exception cref="GrpcStatusException">NotFound when the ref has no ingest; Unavailable while it is being written.</exception>
    internal void Abort(string reference)
    {
        lock (gate)
        {
            if (openRefs.Contains(reference))
            {
                throw new GrpcStatusException(StatusCode.Unavailable, $"ref {reference} locked: another write of it is in progress: unavailable");
            }

            var directory = ContentIngest.DirectoryFor(IngestRoot, reference);
            if (!Writable || !System.IO.Directory.Exists(directory))
            {
                throw new GrpcStatusException(StatusCode.NotFound, $"ingest ref \"{reference}\": not found");
            }

            RemoveIngest(directory);
        }
    }

    /// <summary>
    /// After a solve that exported into this store: stops writes and removes the ingests it left
    /// (an export that failed with ignore-error, say). Committed blobs stay.
    /// </summary>
    public void Finish() => End(removeBlobs: false);

    /// <summary>
    /// After a failed solve (or one that produced no cache manifest): stops writes and removes what
    /// it wrote, its ingests, its newly committed blobs and the directories it created, so the store
    /// is as it was before.
    /// </summary>
    public void Abandon() => End(removeBlobs: true);

    private void End(bool removeBlobs)
    {
        lock (gate)
        {
            sealedForWrites = true;
            foreach (var reference in solveRefs.Where(r => !openRefs.Contains(r)))
            {
                RemoveIngest(ContentIngest.DirectoryFor(IngestRoot, reference));
            }

            if (removeBlobs)
            {
                foreach (var blob in solveBlobs)
                {
                    File.Delete(blob);
                }
            }

            // Only directories this solve created, deepest first, and only when nothing else is in them.
            foreach (var directory in solveDirectories.AsEnumerable().Reverse())
            {
                var keep = !removeBlobs && directory != IngestRoot;
                if (!keep && System.IO.Directory.Exists(directory) && !System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    System.IO.Directory.Delete(directory);
                }
            }

            solveRefs.Clear();
            solveBlobs.Clear();
            solveDirectories.Clear();
        }
    }

    private string BlobPath(ContentDigest digest) => Path.Combine(Directory, "blobs", digest.Algorithm, digest.Encoded);

    /// <summary>Creates a directory and its missing parents, remembering each one created (outermost first).</summary>
    private void EnsureDirectory(string directory)
    {
        var missing = new Stack<string>();
        for (var current = directory; !string.IsNullOrEmpty(current) && !System.IO.Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Push(current);
        }

        foreach (var created in missing)
        {
            System.IO.Directory.CreateDirectory(created);
            solveDirectories.Add(created);
        }
    }

    private static void RemoveIngest(string directory)
    {
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }
}
