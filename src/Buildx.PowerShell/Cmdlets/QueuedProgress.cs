using System.Collections.Concurrent;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>Collects progress messages from any thread, in order, for the pipeline thread to show.</summary>
internal sealed class QueuedProgress : IProgress<string>
{
    private readonly ConcurrentQueue<string> messages = new();

    public void Report(string value) => messages.Enqueue(value);

    public bool TryTake(out string message) => messages.TryDequeue(out message!);
}
