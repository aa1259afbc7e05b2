using Buildx.Core.Builds;
using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;
using Buildx.Core.Exports;
using Buildx.TestRelay;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// A type=local cache export against the engine's real BuildKit, reached as a remote builder through
/// the relay (the docker driver refuses it before sending). The engine's embedded BuildKit has only
/// the inline cache exporter, so it refuses the export at the start of the solve: that refusal must
/// come back as a stable error, with the dest directory left exactly as it was.
/// </summary>
public sealed class LocalCacheExportEngineTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task The_engines_refusal_is_a_stable_error_and_leaves_dest_as_it_was()
    {
        await using var relay = BuildkitRelay.StartUnix(EngineFixture.Context, Path.Combine(directory.Path, "buildkitd.sock"));
        var existing = Path.Combine(directory.Path, "existing-cache");
        var previousIndex = directory.Write("existing-cache/index.json", """{"schemaVersion":2,"manifests":[]}""");
        var before = Snapshot(existing);
        var missing = Path.Combine(directory.Path, "new-cache");

        var refusals = new List<BuildxException>();
        foreach (var dest in new[] { existing, missing })
        {
            refusals.Add(await Assert.ThrowsAsync<BuildxException>(() => BuildAsync(relay.Address, $"type=local,dest={dest},mode=max")));
        }

        Assert.All(refusals, refusal =>
        {
            Assert.Equal((ErrorIds.CacheExportNotSupported, BuildxErrorKind.InvalidOperation), (refusal.ErrorId, refusal.Kind));
            Assert.Contains("unknown cache exporter: \"local\"", refusal.Message, StringComparison.Ordinal);
        });
        Assert.Equal(before, Snapshot(existing));
        Assert.Equal("""{"schemaVersion":2,"manifests":[]}""", File.ReadAllText(previousIndex));
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task A_registry_cache_export_is_refused_the_same_way_and_pushes_nothing()
    {
        await using var relay = BuildkitRelay.StartUnix(EngineFixture.Context, Path.Combine(directory.Path, "buildkitd.sock"));
        var repository = "buildx-test/cache-" + Guid.NewGuid().ToString("N")[..12];

        var refusal = await Assert.ThrowsAsync<BuildxException>(() => BuildAsync(relay.Address, $"type=registry,ref=127.0.0.1:5000/{repository}:cache,mode=max,oci-mediatypes=true"));

        Assert.Equal(ErrorIds.CacheExportNotSupported, refusal.ErrorId);
        Assert.Contains("unknown cache exporter: \"registry\"", refusal.Message, StringComparison.Ordinal);
        using var http = new HttpClient();
        using var tags = await http.GetAsync($"http://127.0.0.1:5000/v2/{repository}/tags/list");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, tags.StatusCode);
    }

    private async Task BuildAsync(string endpoint, string cacheTo)
    {
        var context = Path.Combine(directory.Path, "ctx-" + Guid.NewGuid().ToString("N")[..8]);
        directory.Write(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY marker /\n");
        directory.Write(Path.Combine(context, "marker"), Guid.NewGuid().ToString("N"));
        var runner = new BuildRunner(RemoteNodes.Factory(directory.Path), Path.Combine(directory.Path, "buildx"));
        await runner.RunAsync(
            RemoteNodes.Builder(endpoint),
            new BuildRequest
            {
                ContextPath = context,
                Outputs = [new ExportSpec(ExportSpec.Local, Path.Combine(directory.Path, "out"), new Dictionary<string, string>())],
                Options = new BuildOptions { CacheTo = [CacheSpecParser.ParseCsv(cacheTo, export: true)] },
            },
            _ => { },
            rawStatus: false,
            CancellationToken.None);
    }

    private static string[] Snapshot(string root) => Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .Select(p => Path.GetRelativePath(root, p) + (File.Exists(p) ? ":" + new FileInfo(p).Length : "/"))
        .Order(StringComparer.Ordinal)
        .ToArray();
}
