using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.FileSend;

/// <summary>
/// Serves <c>/moby.filesync.v1.FileSend/DiffCopy</c>, the method BuildKit calls on the client's
/// session to hand back <c>local</c>, <c>tar</c>, <c>oci</c> and <c>docker</c> exports.
/// <para>
/// The method is declared with BytesMessage, but a directory export carries fsutil Packets on it, so
/// it is registered raw and each target decodes its own messages. The target is chosen as BuildKit's
/// own client does: by the <c>buildkit-attachable-exporter-id</c> metadata, the exporter's index in
/// <c>SolveRequest.Exporters</c>. Daemons older than multiple exporters (BuildKit &lt; v0.13) send no
/// id; then the one configured target is used.
/// </para>
/// </summary>
public sealed class FileSendService
{
    public const string DiffCopyMethod = "/moby.filesync.v1.FileSend/DiffCopy";

    private readonly ExportTarget?[] targets;
    private readonly List<ExportTransferResult> transfers = [];
    private readonly List<Task> running = [];

    /// <param name="targetsByExporterIndex">
    /// One entry per exporter of the solve, in <c>SolveRequest.Exporters</c> order; null for exporters
    /// that send nothing back (e.g. <c>image</c>).
    /// </param>
    public FileSendService(IEnumerable<ExportTarget?> targetsByExporterIndex)
    {
        ArgumentNullException.ThrowIfNull(targetsByExporterIndex);
        targets = targetsByExporterIndex.ToArray();
    }

    public IReadOnlyList<ExportTarget?> Targets => targets;

    /// <summary>Every stream handled so far, successful or not, in the order they ended.</summary>
    public IReadOnlyList<ExportTransferResult> Transfers
    {
        get
        {
            lock (transfers)
            {
                return transfers.ToArray();
            }
        }
    }

    /// <summary>The directories and files written by successful streams, each once.</summary>
    public IReadOnlyList<string> WrittenPaths =>
        Transfers.Where(t => t.Succeeded && t.WrittenPath is not null).Select(t => t.WrittenPath!).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Raised as each stream ends (on the session's thread: keep handlers short).</summary>
    public event EventHandler<ExportTransferResult>? TransferCompleted;

    public void Register(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddRaw(DiffCopyMethod, HandleDiffCopyAsync);
    }

    /// <summary>
    /// Completes when every stream that has started has also finished placing its files. Solve can
    /// return while the last export is still being moved into place, so callers wait for this.
    /// </summary>
    public Task WhenTransfersCompleteAsync()
    {
        lock (running)
        {
            return Task.WhenAll(running.ToArray());
        }
    }

    internal async Task HandleDiffCopyAsync(IGrpcRawCall call)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (running)
        {
            running.Add(done.Task);
        }

        try
        {
            await ReceiveAsync(call).ConfigureAwait(false);
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private async Task ReceiveAsync(IGrpcRawCall call)
    {
        var metadata = FileSendMetadata.FromCall(call.Context);
        var (index, target) = SelectTarget(metadata);
        try
        {
            var summary = await target.ReceiveAsync(call, metadata, call.Context.CallCancelled).ConfigureAwait(false);
            Record(new ExportTransferResult(index, target, metadata, summary.WrittenPath, summary.BytesReceived, summary.EntriesWritten, summary.SkippedEntries, null));
        }
        catch (Exception e)
        {
            Record(new ExportTransferResult(index, target, metadata, null, 0, 0, [], e));
            if (e is GrpcStatusException or OperationCanceledException)
            {
                throw;
            }

            throw new GrpcStatusException(StatusCode.Unknown, e.Message);
        }
    }

    private (int Index, ExportTarget Target) SelectTarget(FileSendMetadata metadata)
    {
        if (metadata.ExporterId is { } id)
        {
            return id < targets.Length && targets[id] is { } chosen
                ? (id, chosen)
                : throw new GrpcStatusException(StatusCode.NotFound, $"exporter {id} not found");
        }

        var configured = targets.Select((target, index) => (index, target)).Where(t => t.target is not null).ToArray();
        return configured.Length == 1
            ? (configured[0].index, configured[0].target!)
            : throw new GrpcStatusException(
                StatusCode.FailedPrecondition,
                configured.Length == 0
                    ? "no export target is configured for this session"
                    : $"the daemon sent no {FileSendMetadata.ExporterIdKey} and {configured.Length} export targets are configured");
    }

    private void Record(ExportTransferResult result)
    {
        lock (transfers)
        {
            transfers.Add(result);
        }

        TransferCompleted?.Invoke(this, result);
    }
}
