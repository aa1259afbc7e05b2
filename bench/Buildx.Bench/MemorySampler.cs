using System.Diagnostics;
using System.Globalization;

namespace Buildx.Bench;

/// <summary>
/// The peak growth of this process's resident set while a case runs. On Linux the kernel keeps the
/// peak (VmHWM) and lets a process reset it (clear_refs 5), so nothing samples during the case: a
/// sampling timer reading /proc every few milliseconds cost the client measurable CPU of its own.
/// Elsewhere a slow timer samples the working set.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private const string StatusFile = "/proc/self/status";
    private const string ClearRefsFile = "/proc/self/clear_refs";

    private readonly long baseline;
    private readonly Timer? timer;
    private long peak;

    public MemorySampler()
    {
        if (TryResetKernelPeak())
        {
            baseline = ReadStatusKilobytes("VmRSS:") * 1024;
            return;
        }

        baseline = WorkingSet();
        peak = baseline;
        timer = new Timer(_ => Sample(), null, 0, 50);
    }

    public long PeakGrowth
    {
        get
        {
            if (timer is null)
            {
                return Math.Max(0, (ReadStatusKilobytes("VmHWM:") * 1024) - baseline);
            }

            Sample();
            return Math.Max(0, Interlocked.Read(ref peak) - baseline);
        }
    }

    public void Dispose() => timer?.Dispose();

    private static bool TryResetKernelPeak()
    {
        try
        {
            File.WriteAllText(ClearRefsFile, "5");
            return ReadStatusKilobytes("VmHWM:") > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return false;
        }
    }

    private static long ReadStatusKilobytes(string field)
    {
        foreach (var line in File.ReadLines(StatusFile))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var value = line[field.Length..].Trim();
                return long.Parse(value[..value.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            }
        }

        throw new FormatException($"{StatusFile} has no {field}");
    }

    private static long WorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private void Sample()
    {
        var now = WorkingSet();
        long seen;
        while (now > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
        {
        }
    }
}
