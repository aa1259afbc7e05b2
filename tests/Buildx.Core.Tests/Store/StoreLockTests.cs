using System.Diagnostics;
using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Tests.Store;

/// <summary>
/// The store lock must be flock(2) on &lt;root&gt;/.lock so that it excludes a concurrent
/// <c>docker buildx</c>; util-linux flock(1) stands in for buildx (same system call).
/// </summary>
public sealed class StoreLockTests : IDisposable
{
    private readonly BuildxStoreFixture _fixture = new(withFixtureFiles: false);

    public void Dispose() => _fixture.Dispose();

    private string LockPath => _fixture.PathOf(".lock");

    [FlockToolFact]
    public void Waits_while_another_process_holds_the_flock()
    {
        using var holder = StartFlock($"{Quote(LockPath)} sh -c 'echo locked; sleep 1.5'");
        Assert.Equal("locked", holder.StandardOutput.ReadLine());

        Assert.False(_fixture.Store.TryBeginTransaction(out _));
        var waited = Stopwatch.StartNew();
        using (var txn = _fixture.Store.BeginTransaction())
        {
            Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(1), $"got the lock after {waited.Elapsed}");
            Assert.True(holder.WaitForExit(5000));
        }

        holder.WaitForExit();
    }

    [FlockToolFact]
    public async Task Async_acquisition_waits_too()
    {
        using var holder = StartFlock($"{Quote(LockPath)} sh -c 'echo locked; sleep 1'");
        Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync());

        var waited = Stopwatch.StartNew();
        using var txn = await _fixture.Store.BeginTransactionAsync();

        Assert.True(waited.Elapsed >= TimeSpan.FromMilliseconds(700), $"got the lock after {waited.Elapsed}");
    }

    [FlockToolFact]
    public void Gives_up_after_a_timeout_or_when_cancelled()
    {
        using var holder = StartFlock($"{Quote(LockPath)} sh -c 'echo locked; sleep 3'");
        Assert.Equal("locked", holder.StandardOutput.ReadLine());

        var timedOut = Assert.Throws<BuildxException>(() => _fixture.Store.BeginTransaction(TimeSpan.FromMilliseconds(200)));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.ThrowsAny<OperationCanceledException>(() => _fixture.Store.BeginTransaction(cancellation.Token));

        Assert.Equal(ErrorIds.StoreLocked, timedOut.ErrorId);
        Assert.Equal(BuildxErrorKind.OperationTimeout, timedOut.Kind);
        holder.Kill();
        holder.WaitForExit();
    }

    [FlockToolFact]
    public void Holding_a_transaction_excludes_another_process_flock()
    {
        using (_fixture.Store.BeginTransaction())
        {
            Assert.Equal(1, RunFlock($"-n {Quote(LockPath)} true"));
        }

        Assert.Equal(0, RunFlock($"-n {Quote(LockPath)} true"));
    }

    [FlockToolFact]
    public void Our_transactions_and_flock_processes_update_a_counter_without_losing_increments()
    {
        using var scratch = new TempDirectory();
        var counter = scratch.Write("counter", "0");
        const int Each = 8;

        // Read-modify-write with a pause in the middle: any overlap loses an increment.
        var processes = Enumerable.Range(0, Each)
            .Select(_ => StartFlock($"{Quote(LockPath)} sh -c 'n=$(cat {Quote(counter)}); sleep 0.02; echo $((n+1)) > {Quote(counter)}'"))
            .ToList();
        var threads = Enumerable.Range(0, Each).Select(_ => new Thread(() =>
        {
            using var txn = _fixture.Store.BeginTransaction();
            var n = int.Parse(File.ReadAllText(counter).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Thread.Sleep(20);
            File.WriteAllText(counter, (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        foreach (var process in processes)
        {
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            process.Dispose();
        }

        Assert.Equal((2 * Each).ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(counter).Trim());
    }

    [Fact]
    public void Sixteen_parallel_creates_leave_sixteen_intact_builders_and_an_intact_current()
    {
        const int Count = 16;
        var inside = 0;
        var overlapped = false;
        using var start = new Barrier(Count);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();

        var threads = Enumerable.Range(0, Count).Select(i => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                using var txn = _fixture.Store.BeginTransaction();
                if (Interlocked.Increment(ref inside) != 1)
                {
                    overlapped = true;
                }

                // A builder of its own, as `create --use` makes it.
                var name = $"builder{i:00}";
                var group = txn.TryGet(name) ?? new NodeGroup { Name = name, Driver = "remote" };
                group.Update(new NodeUpdate { Endpoint = $"tcp://host{i}:1234", EndpointIsExplicit = true, BuildkitdFlags = ["--debug"] });
                txn.Save(group);
                txn.SetCurrent("unix:///var/run/docker.sock", name, global: false, isDefault: false);

                // And a node appended to one shared builder: a read-modify-write that loses nodes if transactions overlap.
                var shared = txn.TryGet("shared") ?? new NodeGroup { Name = "shared", Driver = "remote" };
                shared.Update(new NodeUpdate { Endpoint = $"tcp://shared{i}:1234", EndpointIsExplicit = true, Append = true });
                txn.Save(shared);

                Interlocked.Decrement(ref inside);
            }
            catch (Exception ex)
            {
                errors.Enqueue(ex);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(errors);
        Assert.False(overlapped);
        using var check = _fixture.Store.BeginTransaction();
        var builders = check.List();
        Assert.Equal(Count + 1, builders.Count);
        Assert.Equal(Count, builders.Single(b => b.Name == "shared").Nodes!.Count);
        Assert.All(builders.Where(b => b.Name != "shared"), b => Assert.Equal("--debug", Assert.Single(Assert.Single(b.Nodes!).BuildkitdFlags!)));
        var current = check.GetCurrentRecord()!;
        Assert.Equal("unix:///var/run/docker.sock", current.Key);
        Assert.Contains(current.Name, builders.Select(b => b.Name));
        Assert.DoesNotContain(
            Directory.GetFiles(_fixture.Root, "*", SearchOption.AllDirectories),
            f => Path.GetFileName(f).StartsWith(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public void The_lock_file_is_created_with_mode_0600_and_kept()
    {
        using (_fixture.Store.BeginTransaction())
        {
        }

        Assert.True(File.Exists(LockPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LockPath));
        }
    }

    [Fact]
    public void A_second_transaction_waits_for_the_first_in_the_same_process()
    {
        var first = _fixture.Store.BeginTransaction();

        Assert.False(_fixture.Store.TryBeginTransaction(out var second));
        Assert.Null(second);
        first.Dispose();
        Assert.True(_fixture.Store.TryBeginTransaction(out second));
        second!.Dispose();
    }

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static Process StartFlock(string arguments)
    {
        var info = new ProcessStartInfo("sh", ["-c", $"exec {Quote(FlockTool.Path!)} {arguments}"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        return Process.Start(info)!;
    }

    private static int RunFlock(string arguments)
    {
        using var process = StartFlock(arguments);
        process.WaitForExit();
        return process.ExitCode;
    }
}
