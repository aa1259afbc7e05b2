using Buildx.Core.Configuration;
using Buildx.Core.Docker;
using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Tests.Store;

public sealed class BuilderStoreTests : IDisposable
{
    private readonly BuildxStoreFixture _fixture = new(withFixtureFiles: false);

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void The_store_is_BUILDX_CONFIG_else_buildx_beside_the_docker_config()
    {
        using var home = new TempDirectory();
        var none = new FixedEnvironment(new Dictionary<string, string>(), home.Path);
        var dockerConfig = new FixedEnvironment(new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(home.Path, "dc") }, home.Path);
        var buildxConfig = new FixedEnvironment(
            new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(home.Path, "dc"), ["BUILDX_CONFIG"] = Path.Combine(home.Path, "bx") },
            home.Path);

        Assert.Equal(Path.Combine(home.Path, ".docker", "buildx"), BuildxConfigDirectory.Resolve(none));
        Assert.Equal(Path.Combine(home.Path, "dc", "buildx"), BuildxConfigDirectory.Resolve(dockerConfig));
        Assert.Equal(Path.Combine(home.Path, "bx"), BuilderStore.Open(buildxConfig).Root);
    }

    [Fact]
    public void Opening_creates_the_directories_buildx_creates_with_mode_0700()
    {
        foreach (var directory in new[] { "instances", "defaults", "activity" })
        {
            Assert.True(Directory.Exists(_fixture.PathOf(directory)), directory);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_fixture.PathOf(directory)));
            }
        }

        Assert.False(Directory.Exists(_fixture.PathOf("refs")));
    }

    [Fact]
    public void Save_writes_the_instance_and_activity_with_mode_0600_and_no_leftovers()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var txn = _fixture.Store.BeginTransaction();
        var group = new NodeGroup { Name = "MyBuilder", Driver = "remote" };

        txn.Save(group);
        txn.Save(group);

        Assert.Equal(["mybuilder"], Directory.GetFiles(_fixture.PathOf("instances")).Select(Path.GetFileName));
        Assert.Equal(["MyBuilder"], Directory.GetFiles(_fixture.PathOf("activity")).Select(Path.GetFileName));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", _fixture.ReadText("activity/MyBuilder"));
        Assert.InRange(txn.Get("mybuilder").LastActivity!.Value, before, DateTimeOffset.UtcNow);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_fixture.PathOf("instances/mybuilder")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_fixture.PathOf("activity/MyBuilder")));
        }
    }

    [Fact]
    public void Saving_an_invalid_name_fails_and_writes_nothing()
    {
        using var txn = _fixture.Store.BeginTransaction();

        var error = Assert.Throws<BuildxException>(() => txn.Save(new NodeGroup { Name = "foo/bar", Driver = "x" }));

        Assert.Equal(ErrorIds.InvalidBuilderName, error.ErrorId);
        Assert.Empty(Directory.GetFileSystemEntries(_fixture.PathOf("instances")));
        Assert.Empty(Directory.GetFileSystemEntries(_fixture.PathOf("activity")));
    }

    [Fact]
    public void Atomic_writes_leave_no_temporary_files_and_replace_whole_content()
    {
        using var txn = _fixture.Store.BeginTransaction();
        for (var i = 0; i < 20; i++)
        {
            var group = new NodeGroup { Name = "b", Driver = new string('x', 20 - i) };
            txn.Save(group);
            txn.SetCurrent("k" + i, "b", false, isDefault: true);
        }

        var everything = Directory.GetFiles(_fixture.Root, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(everything, f => f!.StartsWith(".tmp-", StringComparison.Ordinal));
        Assert.Equal("x", txn.Get("b").Driver);
    }

    [Fact]
    public void List_is_sorted_by_name_and_drops_entries_whose_file_vanished()
    {
        using var txn = _fixture.Store.BeginTransaction();
        foreach (var name in new[] { "zeta", "Alpha", "beta" })
        {
            txn.Save(new NodeGroup { Name = name, Driver = "remote" });
        }

        var dangling = _fixture.PathOf("instances/gone");
        File.CreateSymbolicLink(dangling, _fixture.PathOf("nowhere"));
        _fixture.Write("instances/.tmp-zeta123", "partial"); // a crashed writer's temp file
        Directory.CreateDirectory(_fixture.PathOf("instances/somedir"));

        var names = txn.List().Select(g => g.Name).ToList();

        Assert.Equal(["Alpha", "beta", "zeta"], names);
        Assert.False(File.Exists(dangling) || new FileInfo(dangling).LinkTarget is not null);
    }

    [Fact]
    public void Remove_deletes_instance_activity_and_build_records_like_buildx()
    {
        using var txn = _fixture.Store.BeginTransaction();
        txn.Save(new NodeGroup { Name = "MyBuilder", Driver = "remote" });
        txn.Save(new NodeGroup { Name = "other", Driver = "remote" });
        _fixture.Write("refs/mybuilder/mybuilder0/ref1", """{"Target":"default","LocalPath":"/src","DockerfilePath":"/src/Dockerfile","GroupRef":"g1"}""");
        _fixture.Write("refs/mybuilder/mybuilder0/ref2", """{"Target":"app","LocalPath":"/src","DockerfilePath":"/src/Dockerfile","GroupRef":"g1"}""");
        _fixture.Write("refs/mybuilder/mybuilder0/ref3", """{"Target":"x","LocalPath":"/src","DockerfilePath":"/src/Dockerfile","GroupRef":"g2"}""");
        _fixture.Write("refs/__group__/g1", """{"Targets":["default","app"],"Refs":["mybuilder/mybuilder0/ref1","mybuilder/mybuilder0/ref2"]}""");
        _fixture.Write("refs/__group__/g2", """{"Refs":["mybuilder/mybuilder0/ref3","other/other0/ref9"]}""");

        txn.Remove("MYBUILDER");

        Assert.Null(txn.TryGet("mybuilder"));
        Assert.False(File.Exists(_fixture.PathOf("activity/MyBuilder")));
        Assert.False(Directory.Exists(_fixture.PathOf("refs/mybuilder")));
        Assert.False(File.Exists(_fixture.PathOf("refs/__group__/g1")));
        Assert.True(File.Exists(_fixture.PathOf("refs/__group__/g2"))); // still has a ref elsewhere
        Assert.NotNull(txn.TryGet("other"));
        txn.Remove("never-existed");
    }

    [Fact]
    public void Remove_node_state_clears_one_node_records()
    {
        using var txn = _fixture.Store.BeginTransaction();
        _fixture.Write("refs/b/b0/r", """{"Target":"","LocalPath":"/c","DockerfilePath":"/c/Dockerfile"}""");
        _fixture.Write("refs/b/b1/r", """{"Target":"","LocalPath":"/c","DockerfilePath":"/c/Dockerfile"}""");

        txn.RemoveNodeState("b", "b0");

        Assert.False(Directory.Exists(_fixture.PathOf("refs/b/b0")));
        Assert.True(Directory.Exists(_fixture.PathOf("refs/b/b1")));
    }

    [Fact]
    public void Generated_names_avoid_existing_builders()
    {
        using var txn = _fixture.Store.BeginTransaction();
        var taken = RandomBuilderName.Next(0, new Random(5));
        txn.Save(new NodeGroup { Name = taken, Driver = "remote" });

        var name = txn.GenerateName(new Random(5));

        Assert.NotEqual(taken, name);
        Assert.Matches("^[a-z]+_[a-z]+[0-9]?$", name);
    }

    [Fact]
    public void A_corrupt_activity_file_is_reported()
    {
        using var txn = _fixture.Store.BeginTransaction();
        txn.Save(new NodeGroup { Name = "b", Driver = "remote" });
        _fixture.Write("activity/b", "yesterday");

        var error = Assert.Throws<BuildxException>(() => txn.Get("b"));

        Assert.Equal(ErrorIds.StoreCorrupt, error.ErrorId);
    }

    [Fact]
    public void A_finished_transaction_cannot_be_used()
    {
        var txn = _fixture.Store.BeginTransaction();
        txn.Dispose();

        Assert.Throws<ObjectDisposedException>(() => txn.List());
    }

    [Fact]
    public void Get_of_a_missing_builder_is_not_found()
    {
        using var txn = _fixture.Store.BeginTransaction();

        var error = Assert.Throws<BuildxException>(() => txn.Get("nope"));

        Assert.Equal(ErrorIds.BuilderNotFound, error.ErrorId);
        Assert.Equal(BuildxErrorKind.ObjectNotFound, error.Kind);
    }
}
