namespace Buildx.Core.Tests.Engine;

/// <summary>Collects progress messages synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
public sealed class ProgressLog : IProgress<string>
{
    private readonly List<string> messages = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (messages)
            {
                return messages.ToArray();
            }
        }
    }

    public void Report(string value)
    {
        lock (messages)
        {
            messages.Add(value);
        }
    }
}
