using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.FileSend;

/// <summary>
/// The <c>local</c> exporter's target: the daemon sends a file tree with fsutil's DiffCopy and this
/// receives it into <see cref="Path"/>.
/// <para>
/// Atomicity: each stream is received into a private staging directory inside the destination
/// (<c>.buildx-partial-&lt;random&gt;</c>; inside, so it is on the same file system even when the
/// destination is a mount point). Only when the daemon has sent everything is the tree moved into
/// place, by renames. A failed or cancelled stream removes its staging directory, and the destination
/// too if this stream created it and it is still empty: the destination never holds a partial export.
/// Limits: placing is a sequence of renames, so an I/O error in the middle of it (rare: no data is
/// copied) leaves part of the export placed; a killed process leaves its staging directory behind.
/// </para>
/// <para>
/// An existing destination is written into as BuildKit does: directories merge, each received entry
/// replaces whatever was at its path (a symlink there is replaced, never followed), other entries stay.
/// With <see cref="RemoveExtraneous"/> (buildx <c>mode=delete</c>) entries the export does not contain
/// are removed as well. A multi-platform export arrives as one stream per platform (each under a
/// <c>linux_amd64</c>-style directory); each is staged and placed on its own, so atomicity is per stream.
/// </para>
/// <para>
/// A destination that does not exist is created with mode 0700, as BuildKit's receiver does. Ownership
/// is never changed: BuildKit rewrites uid/gid to the receiving user, so files belong to the caller.
/// Extended attributes are not applied.
/// </para>
/// </summary>
public sealed class DirectoryExportTarget : ExportTarget
{
    private const string StagingPrefix = ".buildx-partial-";
    private const UnixFileMode DestinationMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    // Streams into one destination (one per platform) receive concurrently but are placed one at a time.
    private readonly object placementLock = new();

    public DirectoryExportTarget(string path, bool removeExtraneous = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        RemoveExtraneous = removeExtraneous;
    }

    /// <summary>The destination directory (absolute).</summary>
    public string Path { get; }

    /// <summary>Mirror the export: remove destination entries it does not contain (buildx <c>mode=delete</c>).</summary>
    public bool RemoveExtraneous { get; }

    internal override async Task<ExportWriteSummary> ReceiveAsync(IGrpcRawCall call, FileSendMetadata metadata, CancellationToken cancellationToken)
    {
        if (RemoveExtraneous && !metadata.MultiPlatformTransfer)
        {
            // Without the daemon's single merged stream, each platform's stream would delete the others'.
            throw new GrpcStatusException(StatusCode.FailedPrecondition, "local exporter mode=delete requires a BuildKit daemon with multi-platform local export support");
        }

        var (staging, createdDirectories) = PrepareStaging();
        var placed = false;
        try
        {
            var tree = new StagingTreeWriter(staging);
            var receiver = new FsutilReceiver(call, tree, new ExportEntryValidator(ExportPathRules.UseWindowsRules));
            await receiver.ReceiveAsync(cancellationToken).ConfigureAwait(false);

            // Everything has arrived: placing it is quick (renames) and is not cancelled halfway.
            lock (placementLock)
            {
                try
                {
                    StagedTreeCommit.MoveInto(staging, Path, RemoveExtraneous);
                    placed = true;
                    StagedTreeCommit.ApplyDirectoryMetadata(Path, tree.Directories);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw FileSendErrors.WriteFailed("the export into " + Path, e);
                }
                finally
                {
                    if (placed)
                    {
                        FileSystemEntry.TryRemoveTree(staging);
                    }
                }
            }

            return new ExportWriteSummary(Path, receiver.BytesReceived, tree.EntriesCreated, tree.SkippedEntries);
        }
        catch when (!placed)
        {
            lock (placementLock)
            {
                FileSystemEntry.TryRemoveTree(staging);
                createdDirectories.RemoveIfEmpty();
            }

            throw;
        }
    }

    private (string Staging, CreatedDirectories Created) PrepareStaging()
    {
        lock (placementLock)
        {
            CreatedDirectories? created = null;
            try
            {
                var existing = FileSystemEntry.Probe(Path);
                if (existing == FileSystemEntryType.Other || (existing == FileSystemEntryType.SymbolicLink && !Directory.Exists(Path)))
                {
                    throw new GrpcStatusException(StatusCode.FailedPrecondition, $"destination directory {Path} is a file");
                }

                created = CreatedDirectories.Ensure(Path, DestinationMode);
                var staging = System.IO.Path.Join(Path, StagingPrefix + Guid.NewGuid().ToString("N"));
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(staging);
                }
                else
                {
                    Directory.CreateDirectory(staging, DestinationMode);
                }

                return (staging, created);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                created?.RemoveIfEmpty();
                throw FileSendErrors.WriteFailed("the destination directory " + Path, e);
            }
        }
    }
}
