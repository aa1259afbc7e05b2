namespace Buildx.Core.Session.FileSend;

/// <summary>The outcome of one FileSend/DiffCopy call: one export stream into one target.</summary>
/// <param name="ExporterIndex">The index of the target in the service's list (the exporter id).</param>
/// <param name="Target">The target that received the stream.</param>
/// <param name="Metadata">What the daemon's request metadata said about the stream.</param>
/// <param name="WrittenPath">
/// The directory or file now holding the export; null for a caller stream, for a failure, and for a
/// tarball stream that carried no bytes (no file is created then, as buildx does).
/// </param>
/// <param name="BytesReceived">Payload bytes received: file contents, or tarball bytes.</param>
/// <param name="EntriesWritten">Directory exports: directories, files, and links created.</param>
/// <param name="SkippedEntries">Directory exports: entries not created (devices, named pipes, sockets), as "path (what)".</param>
/// <param name="Error">Why the stream failed; null when it succeeded.</param>
public sealed record ExportTransferResult(
    int ExporterIndex,
    ExportTarget Target,
    FileSendMetadata Metadata,
    string? WrittenPath,
    long BytesReceived,
    int EntriesWritten,
    IReadOnlyList<string> SkippedEntries,
    Exception? Error)
{
    public bool Succeeded => Error is null;
}
