using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Store;
using Buildx.Core.Tests.Engine;
using Buildx.Core.Tests.Store;

namespace Buildx.Core.Tests.Builders;

/// <summary>
/// create, --append, --leave, rm and use on a store laid out as buildx writes it. Status loads go
/// to the real engine, where these nodes' containers do not exist (so they are inactive).
/// </summary>
public sealed class BuilderManagerTests : IDisposable
{
    private readonly BuildxStoreFixture store = new();
    private readonly TempDirectory dockerConfig = new();
    private readonly BuilderManager manager;
    private readonly string engineKey = EngineFixture.Context.Host.Original;

    public BuilderManagerTests()
    {
        var environment = new FixedEnvironment(
            new Dictionary<string, string>
            {
                ["BUILDX_CONFIG"] = store.Root,
                ["DOCKER_HOST"] = engineKey,
                ["DOCKER_CONFIG"] = dockerConfig.Path,
            },
            dockerConfig.Path);
        var contexts = new DockerContextResolver(environment);
        var drivers = new DriverFactory(contexts, environment);
        manager = new BuilderManager(new BuilderCatalog(contexts, environment), contexts, drivers, new BuilderLoader(drivers), environment);
    }

    public void Dispose()
    {
        store.Dispose();
        dockerConfig.Dispose();
    }

    [Fact]
    public void Plans_a_new_builder_as_buildx_would_store_it()
    {
        using var pending = manager.BeginCreate(new CreateBuilderRequest { Name = "ci", DriverOptions = [new("image", "moby/buildkit:v0.17.0")], Platforms = ["linux/arm64"], Use = true }, CancellationToken.None);

        var plan = pending.Plan;
        Assert.Equal(BuilderChangeKind.CreateBuilder, plan.Kind);
        Assert.Equal("docker-container", plan.Driver);
        Assert.Equal(store.PathOf("instances/ci"), plan.StorePath);
        Assert.Equal("ci0", plan.Node.Name);
        Assert.Equal(engineKey, plan.Node.Endpoint);
        Assert.Equal("buildx_buildkit_ci0", plan.Node.ContainerName);
        Assert.Equal("buildx_buildkit_ci0_state", plan.Node.StateVolumeName);
        Assert.Equal("moby/buildkit:v0.17.0", plan.Node.Image);
        Assert.Equal(["--allow-insecure-entitlement=network.host"], plan.Node.BuildkitdFlags);
        Assert.Equal(["linux/arm64"], plan.Node.Platforms);
        Assert.Contains($"then make it the current builder for {engineKey}", plan.Describe(), StringComparison.Ordinal);

        // Nothing is written until the change is committed.
        Assert.False(File.Exists(store.PathOf("instances/ci")));
    }

    [Fact]
    public async Task Commits_the_entry_in_buildx_format_and_selects_it()
    {
        using (var pending = manager.BeginCreate(new CreateBuilderRequest { Name = "ci", DriverOptions = [new("Memory", "1g")], Use = true }, CancellationToken.None))
        {
            var definition = await pending.CommitAsync(TimeSpan.FromSeconds(20), null, CancellationToken.None);
            Assert.Equal("ci0", Assert.Single(definition.Nodes).Name);
        }

        Assert.Equal(
            $$"""{"Name":"ci","Driver":"docker-container","Nodes":[{"Name":"ci0","Endpoint":"{{engineKey}}","Platforms":null,"DriverOpts":{"memory":"1g"},"Flags":["--allow-insecure-entitlement=network.host"],"Files":null}],"Dynamic":false}""",
            store.ReadText("instances/ci"));
        Assert.Equal($$"""{"Key":"{{engineKey}}","Name":"ci","Global":false}""", store.ReadText("current"));
    }

    [Fact]
    public void Picks_a_random_free_name_when_none_is_given()
    {
        using var pending = manager.BeginCreate(new CreateBuilderRequest(), CancellationToken.None);

        Assert.Matches("^[a-z]+_[a-z]+[0-9]?$", pending.Plan.BuilderName);
    }

    [Fact]
    public void Abandoning_a_change_releases_the_lock_and_writes_nothing()
    {
        var before = store.ReadText("instances/mybuilder");
        using (manager.BeginCreate(new CreateBuilderRequest { Name = "mybuilder", NodeName = "mybuilder0", DriverOptions = [new("image", "x")] }, CancellationToken.None))
        {
            Assert.False(store.Store.TryBeginTransaction(out _));
        }

        Assert.True(store.Store.TryBeginTransaction(out var transaction));
        transaction!.Dispose();
        Assert.Equal(before, store.ReadText("instances/mybuilder"));
    }

    [Fact]
    public void Plans_an_append_and_a_node_update_on_buildxs_builder()
    {
        using (var append = manager.BeginCreate(new CreateBuilderRequest { Name = "mybuilder", Append = true, Endpoint = "tcp://10.9.9.9:2375" }, CancellationToken.None))
        {
            Assert.Equal(BuilderChangeKind.AppendNode, append.Plan.Kind);
            Assert.Equal("mybuilder2", append.Plan.Node.Name);
        }

        using var update = manager.BeginCreate(new CreateBuilderRequest { Name = "mybuilder", NodeName = "mybuilder0", DriverOptions = [new("image", "moby/buildkit:latest")] }, CancellationToken.None);
        Assert.Equal(BuilderChangeKind.UpdateNode, update.Plan.Kind);
        Assert.Equal("unix:///var/run/docker.sock", update.Plan.Node.Endpoint);
        Assert.Equal(new Dictionary<string, string> { ["image"] = "moby/buildkit:latest" }, update.Plan.Node.DriverOptions);
    }

    [Theory]
    [InlineData("default", null, null, ErrorIds.ReservedBuilderName)]
    [InlineData("mybuilder", null, null, ErrorIds.BuilderExists)]
    [InlineData("fresh", "docker", null, ErrorIds.DriverDoesNotAllowInstances)]
    [InlineData("fresh", "kubernetes", "tcp://127.0.0.1:1234", ErrorIds.InvalidEndpoint)]
    [InlineData("fresh", null, "tcp://127.0.0.1", ErrorIds.InvalidEndpoint)]
    [InlineData("fresh", "docker-container", "nonsense", ErrorIds.InvalidEndpoint)]
    [InlineData("fresh", "podman", null, ErrorIds.UnknownDriver)]
    public void Refuses_what_buildx_refuses(string name, string? driver, string? endpoint, string errorId)
    {
        var error = Assert.Throws<BuildxException>(() => manager.BeginCreate(new CreateBuilderRequest { Name = name, Driver = driver, Endpoint = endpoint }, CancellationToken.None));

        Assert.Equal(errorId, error.ErrorId);
        Assert.True(store.Store.TryBeginTransaction(out var transaction), "a refused change must release the lock");
        transaction!.Dispose();
    }

    [Fact]
    public async Task A_node_that_cannot_be_loaded_rolls_the_create_back()
    {
        using var pending = manager.BeginCreate(new CreateBuilderRequest { Name = "broken", Driver = "docker-container", Endpoint = "unix:///nonexistent/docker.sock" }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<BuildxException>(() => pending.CommitAsync(TimeSpan.FromSeconds(5), null, CancellationToken.None));

        Assert.Equal(ErrorIds.BuilderInitializationFailed, error.ErrorId);
        Assert.StartsWith("failed to initialize builder broken (broken0):", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(store.PathOf("instances/broken")));
    }

    [Fact]
    public async Task A_failed_update_restores_the_original_entry()
    {
        var before = store.ReadText("instances/mybuilder");
        using var pending = manager.BeginCreate(new CreateBuilderRequest { Name = "mybuilder", NodeName = "mybuilder0", Endpoint = "unix:///nonexistent/docker.sock" }, CancellationToken.None);

        await Assert.ThrowsAsync<BuildxException>(() => pending.CommitAsync(TimeSpan.FromSeconds(3), null, CancellationToken.None));

        Assert.Equal(before, store.ReadText("instances/mybuilder"));
    }

    [Fact]
    public void Plans_a_removal_with_each_nodes_container_and_volume()
    {
        using var pending = manager.BeginRemove("MyBuilder", keepState: true, keepDaemon: false, CancellationToken.None);

        var plan = pending.Plan;
        Assert.Equal("mybuilder", plan.BuilderName);
        Assert.Equal([store.PathOf("instances/mybuilder"), store.PathOf("activity/mybuilder"), store.PathOf("refs/mybuilder")], plan.StorePaths);
        var first = plan.Nodes[0];
        Assert.Equal(("buildx_buildkit_mybuilder0", "buildx_buildkit_mybuilder0_state", true, false), (first.ContainerName, first.StateVolumeName, first.RemovesContainer, first.RemovesStateVolume));
        Assert.NotNull(plan.Nodes[1].Problem); // ssh:// is not an engine this module can reach
        Assert.Contains("keep volume buildx_buildkit_mybuilder0_state", plan.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_deletes_the_entry_even_when_a_node_has_no_usable_settings()
    {
        using (var pending = manager.BeginRemove("unicode", keepState: false, keepDaemon: false, CancellationToken.None))
        {
            var result = await pending.CommitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.Empty(result.Failures);
            Assert.Contains("unicode0", Assert.Single(result.Warnings), StringComparison.Ordinal);
        }

        Assert.False(File.Exists(store.PathOf("instances/unicode")));
        Assert.Equal(ErrorIds.ContextBuilderNotRemovable, Assert.Throws<BuildxException>(() => manager.BeginRemove("default", false, false, CancellationToken.None)).ErrorId);
        Assert.Equal(ErrorIds.BuilderNotFound, Assert.Throws<BuildxException>(() => manager.BeginRemove("nope", false, false, CancellationToken.None)).ErrorId);
    }

    [Fact]
    public async Task A_remote_builder_stored_by_buildx_is_removed_from_the_store_without_KeepDaemon()
    {
        // Nothing of a remote node is this module's to remove, so no -KeepDaemon is needed.
        store.Write("instances/far", """{"Name":"far","Driver":"remote","Nodes":[{"Name":"far0","Endpoint":"tcp://127.0.0.1:1234","Platforms":null,"DriverOpts":null,"Flags":null,"Files":null}],"Dynamic":false}""");

        using (var pending = manager.BeginRemove("far", keepState: false, keepDaemon: false, CancellationToken.None))
        {
            var result = await pending.CommitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.Empty(result.Failures);
        }

        Assert.False(File.Exists(store.PathOf("instances/far")));
    }

    [Fact]
    public async Task Leaving_removes_the_node_and_its_build_records()
    {
        store.Write("refs/mybuilder/winnode/ref1", """{"Target":"default","LocalPath":"/src","DockerfilePath":"/src/Dockerfile"}""");

        using (var pending = manager.BeginLeave("mybuilder", "winnode", keepState: false, keepDaemon: true, CancellationToken.None))
        {
            Assert.Equal(store.PathOf("refs/mybuilder/winnode"), pending.Plan.RefsPath);
            var remaining = await pending.CommitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.Equal(["mybuilder0", "mybuilder1"], remaining.Nodes.Select(n => n.Name));
        }

        Assert.False(Directory.Exists(store.PathOf("refs/mybuilder/winnode")));
        Assert.DoesNotContain("winnode", store.ReadText("instances/mybuilder"), StringComparison.Ordinal);
        Assert.Equal(ErrorIds.LastNodeCannotLeave, Assert.Throws<BuildxException>(() => manager.BeginLeave("unicode", "unicode0", false, false, CancellationToken.None)).ErrorId);
        Assert.Equal(ErrorIds.NodeNotFound, Assert.Throws<BuildxException>(() => manager.BeginLeave("mybuilder", "nope", false, false, CancellationToken.None)).ErrorId);
    }

    [Fact]
    public void Use_selects_stored_builders_and_clears_for_the_contexts_own()
    {
        using (var pending = manager.BeginUse("unicode", global: true, isDefault: true, CancellationToken.None))
        {
            pending.Commit();
        }

        Assert.Equal($$"""{"Key":"{{engineKey}}","Name":"unicode","Global":true}""", store.ReadText("current"));
        Assert.Equal("unicode", store.ReadText("defaults/" + BuilderStoreTransaction.HashKey(engineKey)));

        using (var pending = manager.BeginUse("default", global: true, isDefault: true, CancellationToken.None))
        {
            Assert.Equal(string.Empty, pending.Plan.BuilderName);
            pending.Commit();
        }

        Assert.Equal($$"""{"Key":"{{engineKey}}","Name":"","Global":false}""", store.ReadText("current"));
        Assert.False(File.Exists(store.PathOf("defaults/" + BuilderStoreTransaction.HashKey(engineKey))));
        Assert.Equal(ErrorIds.BuilderNotFound, Assert.Throws<BuildxException>(() => manager.BeginUse("nope", false, false, CancellationToken.None)).ErrorId);
    }
}
