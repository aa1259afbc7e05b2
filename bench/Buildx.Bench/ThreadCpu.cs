using System.Globalization;

namespace Buildx.Bench;

/// <summary>
/// CPU time of this process's threads grouped by thread name, from /proc/self/task (Linux): which part
/// of the client spends it (pool workers, the JIT's background compiler, the socket engine). Threads
/// that ended during a case are counted as "exited" (the transfer's own threads).
/// </summary>
internal sealed class ThreadCpu
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux

    private readonly Dictionary<int, (string Name, long Ticks)> before;
    private readonly TimeSpan processBefore;

    private ThreadCpu(Dictionary<int, (string Name, long Ticks)> before, TimeSpan processBefore)
    {
        this.before = before;
        this.processBefore = processBefore;
    }

    public static ThreadCpu? Start() =>
        Directory.Exists("/proc/self/task") ? new ThreadCpu(Read(), ProcessCpu.Client()) : null;

    /// <summary>Seconds per thread group over the case, largest first.</summary>
    public IReadOnlyList<(string Group, double Seconds)> Stop()
    {
        var process = (ProcessCpu.Client() - processBefore).TotalSeconds;
        var after = Read();
        var groups = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (tid, (name, ticks)) in after)
        {
            var start = before.TryGetValue(tid, out var seen) ? seen.Ticks : 0;
            var group = Group(name);
            groups[group] = groups.GetValueOrDefault(group) + ((ticks - start) / TicksPerSecond);
        }

        groups["exited"] = Math.Max(0, process - groups.Values.Sum());
        return groups.Where(g => g.Value >= 0.01).OrderByDescending(g => g.Value).Select(g => (g.Key, g.Value)).ToArray();
    }

    private static string Group(string name) =>
        name.StartsWith(".NET TP Worker", StringComparison.Ordinal) ? "pool workers"
        : name.StartsWith(".NET Tiered Com", StringComparison.Ordinal) ? "jit (tiering)"
        : name.StartsWith(".NET Long Runni", StringComparison.Ordinal) ? "own threads"
        : name.StartsWith(".NET Sockets", StringComparison.Ordinal) ? "socket engine"
        : name;

    private static Dictionary<int, (string Name, long Ticks)> Read()
    {
        var threads = new Dictionary<int, (string, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var tid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                var name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                threads[tid] = (name, long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }

        return threads;
    }
}
