using System.Diagnostics;

namespace Buildx.Bench;

/// <summary>Samples this process's working set while a case runs and keeps the peak.</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly long baseline;
    private readonly Timer timer;
    private long peak;

    public MemorySampler()
    {
        baseline = Current();
        peak = baseline;
        timer = new Timer(_ => Sample(), null, 0, 5);
    }

    public long PeakGrowth
    {
        get
        {
            Sample();
            return Math.Max(0, Interlocked.Read(ref peak) - baseline);
        }
    }

    public void Dispose() => timer.Dispose();

    private static long Current()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private void Sample()
    {
        var now = Current();
        long seen;
        while (now > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
        {
        }
    }
}
