using System.Text.Json;
using Buildx.Core.Builds;
using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Builds.Options;

/// <summary>The exact SolveRequest the options produce, compared with what buildx sends.</summary>
public sealed class BuildOptionsPlannerTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Run_step_settings_become_frontend_attributes()
    {
        var solve = Solve(new BuildOptions
        {
            Network = BuildNetworkMode.Host,
            ExtraHosts = [HostEntry.Parse("db:10.0.0.5"), HostEntry.Parse("cache=10.0.0.6")],
            ShmSize = 64L * 1024 * 1024,
            Ulimits = [UlimitSpec.Parse("nofile=1024:2048"), UlimitSpec.Parse("nproc=512")],
            Pull = true,
        });

        Assert.Equal("host", solve.FrontendAttrs["force-network-mode"]);
        Assert.Equal(["network.host"], solve.Entitlements);
        Assert.Equal("db=10.0.0.5,cache=10.0.0.6", solve.FrontendAttrs["add-hosts"]);
        Assert.Equal("67108864", solve.FrontendAttrs["shm-size"]);
        Assert.Equal("nofile=1024:2048,nproc=512:512", solve.FrontendAttrs["ulimit"]);
        // -Pull overrides the docker driver's "local" resolve mode.
        Assert.Equal("pull", solve.FrontendAttrs["image-resolve-mode"]);
    }

    [Fact]
    public void Defaults_send_none_of_the_surface_attributes()
    {
        var solve = Solve(BuildOptions.None);

        foreach (var key in new[] { "force-network-mode", "add-hosts", "shm-size", "ulimit", "cache-imports" })
        {
            Assert.False(solve.FrontendAttrs.ContainsKey(key), key);
        }

        Assert.Null(solve.Cache);
        Assert.Empty(solve.Entitlements);
        Assert.Equal("local", solve.FrontendAttrs["image-resolve-mode"]);
    }

    [Fact]
    public void Network_none_needs_no_entitlement()
    {
        var solve = Solve(new BuildOptions { Network = BuildNetworkMode.None });

        Assert.Equal("none", solve.FrontendAttrs["force-network-mode"]);
        Assert.Empty(solve.Entitlements);
    }

    [Fact]
    public void Cache_goes_into_CacheOptions_and_cache_imports_without_the_legacy_fields()
    {
        var solve = Solve(new BuildOptions
        {
            CacheTo = [CacheSpecParser.ParseCsv("type=registry,ref=r/app:cache,mode=max", export: true)],
            CacheFrom = [CacheSpecParser.ParseCsv("r/app:cache", export: false), CacheSpecParser.ParseCsv("type=gha,scope=x", export: false)],
        }, driver: "docker-container");

        var export = Assert.Single(solve.Cache.Exports);
        Assert.Equal("registry", export.Type);
        Assert.Equal("r/app:cache", export.Attrs["ref"]);
        Assert.Equal("max", export.Attrs["mode"]);
        Assert.Equal(2, solve.Cache.Imports.Count);
        // Daemons append the legacy fields to Exports/Imports, so they must stay empty.
        Assert.Equal(string.Empty, solve.Cache.ExportRefDeprecated);
        Assert.Empty(solve.Cache.ExportAttrsDeprecated);
        Assert.Empty(solve.Cache.ImportRefsDeprecated);
        using var imports = JsonDocument.Parse(solve.FrontendAttrs["cache-imports"]);
        Assert.Equal("registry", imports.RootElement[0].GetProperty("Type").GetString());
        Assert.Equal("r/app:cache", imports.RootElement[0].GetProperty("Attrs").GetProperty("ref").GetString());
        Assert.Equal("gha", imports.RootElement[1].GetProperty("Type").GetString());
    }

    [Fact]
    public async Task A_local_cache_export_goes_out_with_its_dest_and_the_session_serves_that_store_writable()
    {
        var dest = Path.Combine(directory.Path, "cache");
        var options = new BuildOptions
        {
            CacheTo = [CacheSpecParser.ParseCsv($"type=local,dest={dest},mode=max,oci-mediatypes=true,image-manifest=true,compression=zstd,compression-level=3,force-compression=true,ignore-error=true,tag=ci", export: true)],
            CacheFrom = [CacheSpecParser.ParseCsv($"type=local,src={dest}", export: false)],
        };
        BuildOptionsPlanner.Validate(options, "docker-container");
        var services = await BuildOptionsServices.CreateAsync(options, _ => { }, CancellationToken.None);

        var solve = Solve(services.Options, driver: "docker-container");

        // Every attribute goes to BuildKit as given; the daemon names the store "local:" + dest.
        var export = Assert.Single(solve.Cache.Exports);
        Assert.Equal("local", export.Type);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["dest"] = dest,
                ["mode"] = "max",
                ["oci-mediatypes"] = "true",
                ["image-manifest"] = "true",
                ["compression"] = "zstd",
                ["compression-level"] = "3",
                ["force-compression"] = "true",
                ["ignore-error"] = "true",
                ["tag"] = "ci",
            },
            export.Attrs);
        Assert.Equal(string.Empty, solve.Cache.ExportRefDeprecated);
        Assert.Empty(solve.Cache.ExportAttrsDeprecated);
        // The import of the same directory (it has no index.json yet) is skipped, as BuildKit's client does.
        Assert.Empty(solve.Cache.Imports);
        var store = Assert.Single(services.Content!.Stores);
        Assert.Equal("local:" + dest, store.Key);
        Assert.True(store.Value.Writable);
        Assert.Equal(dest, store.Value.Directory);
    }

    [Fact]
    public async Task A_registry_cache_export_goes_out_as_its_attributes_alone_without_a_session_store()
    {
        var options = new BuildOptions
        {
            CacheTo = [CacheSpecParser.ParseCsv("type=registry,ref=127.0.0.1:5000/app:cache,mode=max,oci-mediatypes=true,image-manifest=true,compression=estargz,ignore-error=false", export: true)],
        };
        BuildOptionsPlanner.Validate(options, "remote");
        var services = await BuildOptionsServices.CreateAsync(options, _ => { }, CancellationToken.None);

        var solve = Solve(services.Options, driver: "remote");

        var export = Assert.Single(solve.Cache.Exports);
        Assert.Equal("registry", export.Type);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["ref"] = "127.0.0.1:5000/app:cache",
                ["mode"] = "max",
                ["oci-mediatypes"] = "true",
                ["image-manifest"] = "true",
                ["compression"] = "estargz",
                ["ignore-error"] = "false",
            },
            export.Attrs);
        Assert.Equal(string.Empty, solve.Cache.ExportRefDeprecated);
        Assert.Empty(solve.Cache.Imports);
        Assert.False(solve.FrontendAttrs.ContainsKey("cache-imports"));
        Assert.Null(services.Content);
        Assert.Equal(0, services.CacheExports.Count);
    }

    [Fact]
    public void Inline_cache_sets_only_the_exports()
    {
        var solve = Solve(new BuildOptions { CacheTo = [CacheSpecParser.ParseCsv("type=inline", export: true)] });

        Assert.Equal("inline", Assert.Single(solve.Cache.Exports).Type);
        Assert.Equal(string.Empty, solve.Cache.ExportRefDeprecated);
        Assert.False(solve.FrontendAttrs.ContainsKey("cache-imports"));
    }

    [Fact]
    public void Annotations_go_on_every_exporter_and_the_legacy_fields()
    {
        var solve = Solve(
            new BuildOptions { Annotations = [.. AnnotationSpec.Parse("index:org.opencontainers.image.title=app")] },
            exports: [new PlannedExport("local", new Dictionary<string, string>(), ExportDestinationKind.Directory, "/tmp/out")]);

        Assert.Equal("app", Assert.Single(solve.Exporters).Attrs["annotation-index.org.opencontainers.image.title"]);
        Assert.Equal("app", solve.ExporterAttrsDeprecated["annotation-index.org.opencontainers.image.title"]);
    }

    [Fact]
    public void Named_contexts_and_attestations_become_frontend_attributes()
    {
        var solve = Solve(new BuildOptions
        {
            NamedContexts = [NamedContext.Parse("assets=/tmp/assets"), NamedContext.Parse("base=docker-image://busybox:latest"), NamedContext.Parse("dockerfile=/tmp/d")],
            Attestations = [AttestationSpecParser.Canonicalize("provenance", "mode=min")],
        }, driver: "docker-container");

        Assert.Equal("local:assets", solve.FrontendAttrs["context:assets"]);
        Assert.Equal("docker-image://busybox:latest", solve.FrontendAttrs["context:base"]);
        Assert.Equal("local:_dockerfile", solve.FrontendAttrs["context:dockerfile"]);
        Assert.Equal("type=provenance,mode=min", solve.FrontendAttrs["attest:provenance"]);
        Assert.Equal(
            ["assets", "_dockerfile"],
            BuildOptionsPlanner.LocalDirectories(new BuildOptions { NamedContexts = [NamedContext.Parse("assets=/tmp/assets"), NamedContext.Parse("base=docker-image://b"), NamedContext.Parse("dockerfile=/tmp/d")] }).Select(l => l.Key));
    }

    [Fact]
    public void The_docker_driver_refuses_cache_export_except_inline()
    {
        BuildOptionsPlanner.Validate(new BuildOptions { CacheTo = [CacheSpecParser.ParseCsv("type=inline", export: true)] }, "docker");

        var error = Assert.Throws<BuildxException>(() => BuildOptionsPlanner.Validate(
            new BuildOptions { CacheTo = [CacheSpecParser.ParseCsv("type=registry,ref=r/a:c", export: true)] }, "docker"));

        Assert.Equal(ErrorIds.CacheExportNotSupported, error.ErrorId);
        Assert.Contains("docker driver", error.Message, StringComparison.Ordinal);
        BuildOptionsPlanner.Validate(new BuildOptions { CacheTo = [CacheSpecParser.ParseCsv("type=registry,ref=r/a:c", export: true)] }, "docker-container");
    }

    [Fact]
    public void Unsupported_combinations_are_refused_before_sending()
    {
        var local = Assert.Throws<BuildxException>(() => BuildOptionsPlanner.Validate(
            new BuildOptions { CacheTo = [CacheSpecParser.ParseCsv("type=local,dest=/tmp/c", export: true)] }, "docker"));
        var attest = Assert.Throws<BuildxException>(() => BuildOptionsPlanner.Validate(
            new BuildOptions { Attestations = ["type=sbom"] }, "docker"));
        var missing = Assert.Throws<BuildxException>(() => BuildOptionsPlanner.Validate(
            new BuildOptions { NamedContexts = [NamedContext.Create("assets", Path.Combine(directory.Path, "missing"))] }, "docker"));

        Assert.Equal((ErrorIds.CacheExportNotSupported, BuildxErrorKind.InvalidOperation), (local.ErrorId, local.Kind));
        Assert.Contains("type=local is not supported for the docker driver", local.Message, StringComparison.Ordinal);
        // Other drivers take it: the session serves the dest as a writable content store.
        BuildOptionsPlanner.Validate(new BuildOptions { CacheTo = [CacheSpecParser.ParseCsv("type=local,dest=/tmp/c", export: true)] }, "docker-container");
        Assert.Equal(ErrorIds.InvalidAttestation, attest.ErrorId);
        Assert.Equal(ErrorIds.BuildContextNotFound, missing.ErrorId);
        // A disabled attestation sends nothing, so the docker driver accepts it.
        BuildOptionsPlanner.Validate(new BuildOptions { Attestations = [AttestationSpecParser.Canonicalize("provenance", "false")] }, "docker");
    }

    private BuildKit.Protocol.Control.SolveRequest Solve(BuildOptions options, string driver = "docker", IReadOnlyList<PlannedExport>? exports = null)
    {
        var dockerfile = directory.Write("Dockerfile", "FROM scratch\n");
        return BuildRunner.CreateSolveRequest(new BuildRequest { ContextPath = directory.Path, Options = options }, dockerfile, driver, exports ?? []);
    }
}
