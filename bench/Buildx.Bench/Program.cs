using System.Diagnostics;
using System.Globalization;
using Buildx.Bench;
using Buildx.Core;
using Buildx.Core.Builds;
using Buildx.Core.Docker;
using Buildx.Core.Exports;

// Context-transfer benchmark: COPY . / with cacheonly on the default builder, in one warm process.
// Every figure is printed beside a yardstick measured in the same run: the same bytes pushed
// through a loopback unix socket.
var options = BenchOptions.Parse(args);
var work = Path.Combine(Path.GetTempPath(), "buildx-bench");
Directory.CreateDirectory(work);
var services = new BuildxServices(ProcessEnvironment.Instance);
var builder = services.Catalog.Current();
Console.WriteLine($"builder {builder.Name} ({builder.Driver}), {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
if (options.ChunkSize is { } chunk)
{
    Console.WriteLine($"file sync chunk size: {chunk} bytes");
}

var contexts = new ContextFactory(work);
var results = new List<CaseResult>();

// Warm-up: load everything, open a first session and send a smaller context of each shape, so the cases
// measure a warm session: a pwsh session that has built before runs the transfer path's tier-1 code. A cold
// first build also pays that JIT work (about 0.6 s of CPU).
// Three rounds: hot methods are recompiled twice (instrumented, then optimized) after enough calls.
await RunCase("warm-up", contexts.Tiny("warmup"), 0);
for (var round = 0; round < 3; round++)
{
    await RunCase("warm-up: 64 MiB file", contexts.OneLargeFile("warm-large", 64L << 20), 64L << 20);
    await RunCase("warm-up: 2000 files", contexts.ManySmallFiles("warm-small", 2000, 4096), 2000L * 4096);
    await EmptyBuildCache();
}

await Task.Delay(TimeSpan.FromSeconds(2)); // the background compiler finishes what the warm-up queued

if (options.Cases.Contains('a'))
{
    var dir = contexts.OneLargeFile("a", options.LargeFileBytes);
    await EmptyBuildCache();
    results.Add(await RunCase("(a) one 1 GiB file", dir, options.LargeFileBytes));
}

if (options.Cases.Contains('b') || options.Cases.Contains('c'))
{
    var dir = contexts.ManySmallFiles("b", options.SmallFileCount, 4096);
    var bytes = (long)options.SmallFileCount * 4096;
    await EmptyBuildCache();
    if (options.Cases.Contains('b'))
    {
        results.Add(await RunCase($"(b) {options.SmallFileCount} files of 4 KiB", dir, bytes));
    }

    if (options.Cases.Contains('c'))
    {
        ContextFactory.ChangeOneFile(dir);
        results.Add(await RunCase("(c) (b) after changing one file", dir, 4096));
    }
}

if (options.Cases.Contains('d'))
{
    var dir = contexts.Tiny("d");
    await RunCase("(d) priming", dir, 0);
    results.Add(await RunCase("(d) tiny context, fully cached", dir, 1));
}

Console.WriteLine();
Console.WriteLine(CaseResult.Header);
foreach (var result in results)
{
    Console.WriteLine(result.Format());
}

return 0;

// The engine slows down as its build cache grows (each re-sent case leaves a layer behind), and a
// slower receiver costs the client CPU too: every transfer case starts from an empty cache.
async Task EmptyBuildCache()
{
    var pruned = 0L;
    await foreach (var record in services.Prune.RunAsync(builder, new Buildx.Core.Cache.CachePruneOptions { All = true }, CancellationToken.None))
    {
        pruned += record.Size;
    }

    Console.WriteLine($"build cache emptied ({pruned / (1024 * 1024)} MiB)");
}

async Task<CaseResult> RunCase(string name, string context, long payloadBytes)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    using var memory = new MemorySampler();
    var progressEvents = 0L;
    var threads = ThreadCpu.Start();
    var poolItemsBefore = ThreadPool.CompletedWorkItemCount;
    var clientBefore = ProcessCpu.Client();
    var engineBefore = ProcessCpu.Engine();
    var clock = Stopwatch.StartNew();
    var result = await services.Builds.RunAsync(
        builder,
        new BuildRequest
        {
            ContextPath = context,
            Outputs = [new ExportSpec(ExportSpec.CacheOnly, null, new Dictionary<string, string>())],
        },
        _ => Interlocked.Increment(ref progressEvents),
        rawStatus: false,
        CancellationToken.None,
        options.ChunkSize);
    var wall = clock.Elapsed;
    var clientCpu = ProcessCpu.Client() - clientBefore;
    var poolItems = ThreadPool.CompletedWorkItemCount - poolItemsBefore;
    var threadGroups = threads?.Stop();
    var engineCpu = ProcessCpu.Engine() - engineBefore;
    var raw = payloadBytes > 0 ? RawCopy.Measure(Math.Max(result.SessionBytesSent, 1)) : TimeSpan.Zero;
    var outcome = new CaseResult(name, wall, clientCpu, engineCpu, memory.PeakGrowth, result.SessionBytesSent, raw, poolItems);
    Console.WriteLine(outcome.Format());
    if (threadGroups is not null && payloadBytes > 0)
    {
        Console.WriteLine($"  progress events {progressEvents}; client cpu by thread: " + string.Join(", ", threadGroups.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Group} {g.Seconds:0.00}s"))));
    }

    return outcome;
}

/// <summary>
/// One case's figures. Pool items are the thread-pool work items the client ran during the case: every
/// async hand-off is one, and idle pool threads spin between them, so they track the client's CPU.
/// </summary>
internal sealed record CaseResult(string Name, TimeSpan Wall, TimeSpan ClientCpu, TimeSpan EngineCpu, long PeakMemoryGrowth, long BytesSent, TimeSpan RawCopy, long PoolItems)
{
    public static string Header => "case                                   wall     MB/s   client-cpu  engine-cpu  peak-mem   sent         raw-copy  wall/raw  pool-items";

    public string Format()
    {
        var mbps = Wall.TotalSeconds > 0 ? BytesSent / 1e6 / Wall.TotalSeconds : 0;
        var ratio = RawCopy > TimeSpan.Zero ? (Wall / RawCopy).ToString("0.0", CultureInfo.InvariantCulture) + "x" : "-";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Name,-38} {Wall.TotalSeconds,6:0.000}s {mbps,7:0.0} {ClientCpu.TotalSeconds,9:0.000}s {EngineCpu.TotalSeconds,9:0.00}s {PeakMemoryGrowth / 1e6,7:0.0}MB {BytesSent,12:N0} {RawCopy.TotalSeconds,8:0.000}s {ratio,8} {PoolItems,10:N0}");
    }
}

internal sealed record BenchOptions(string Cases, long LargeFileBytes, int SmallFileCount, int? ChunkSize)
{
    public static BenchOptions Parse(string[] args)
    {
        var cases = "abcd";
        var large = 1L << 30;
        var count = 20_000;
        int? chunk = null;
        for (var i = 0; i < args.Length - 1; i += 2)
        {
            switch (args[i])
            {
                case "--cases": cases = args[i + 1]; break;
                case "--large-bytes": large = long.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--small-files": count = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--chunk-size": chunk = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        return new BenchOptions(cases, large, count, chunk);
    }
}
