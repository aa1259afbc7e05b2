using System.Globalization;
using System.Runtime.InteropServices;

namespace Buildx.Bench;

/// <summary>
/// Waits until inodes freed by emptying the build cache no longer slow the next case down. ext4
/// without a journal skips a free inode whose deletion time is within the dirty-expire interval
/// (30 s more while its block is dirty) and reads that inode's block to find out, for every new file:
/// right after tens of thousands of deletions each file creation costs several times its usual CPU.
/// A sync clears the dirty blocks, then the wait covers the interval.
/// </summary>
internal static class FileSystemSettle
{
    public static async Task WaitAsync(TimeSpan? requested)
    {
        var wait = requested ?? DefaultWait();
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        if (OperatingSystem.IsLinux())
        {
            Sync();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"waiting {wait.TotalSeconds:0} s for the freed inodes to age out (--settle 0 skips)"));
        await Task.Delay(wait).ConfigureAwait(false);
    }

    /// <summary>The kernel's dirty-expire interval plus a second; none off Linux.</summary>
    private static TimeSpan DefaultWait()
    {
        const string setting = "/proc/sys/vm/dirty_expire_centisecs";
        if (!OperatingSystem.IsLinux() || !File.Exists(setting)
            || !int.TryParse(File.ReadAllText(setting).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var centiseconds))
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds(centiseconds / 100.0 + 1);
    }

    [DllImport("libc", EntryPoint = "sync")]
    private static extern void Sync();
}
