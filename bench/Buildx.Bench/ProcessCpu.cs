using System.Globalization;

namespace Buildx.Bench;

/// <summary>CPU time of this process and of the Docker engine (whose embedded BuildKit receives the context).</summary>
internal static class ProcessCpu
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux

    public static TimeSpan Client() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>utime + stime of every dockerd process, from /proc; zero where /proc is not there.</summary>
    public static TimeSpan Engine()
    {
        if (!Directory.Exists("/proc"))
        {
            return TimeSpan.Zero;
        }

        var total = 0L;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "dockerd")
                {
                    continue;
                }

                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return TimeSpan.FromSeconds(total / TicksPerSecond);
    }
}
