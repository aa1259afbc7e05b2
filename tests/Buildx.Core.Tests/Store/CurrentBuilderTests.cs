using Buildx.Core.Store;

namespace Buildx.Core.Tests.Store;

/// <summary>Current-builder resolution as buildx's <c>Txn.Current</c> and <c>use</c>.</summary>
public sealed class CurrentBuilderTests : IDisposable
{
    private readonly BuildxStoreFixture _fixture = new(withFixtureFiles: false);

    public void Dispose() => _fixture.Dispose();

    private static void SaveBuilders(BuilderStoreTransaction txn, params string[] names)
    {
        foreach (var name in names)
        {
            txn.Save(new NodeGroup { Name = name, Driver = "remote" });
        }
    }

    [Fact]
    public void An_empty_store_has_no_current_builder_and_records_the_key()
    {
        using var txn = _fixture.Store.BeginTransaction();

        Assert.Null(txn.Current("foo"));
        Assert.Equal("""{"Key":"foo","Name":"","Global":false}""", _fixture.ReadText("current"));
    }

    [Fact]
    public void Follows_buildx_own_node_management_scenario()
    {
        // buildx store/store_test.go TestNodeManagement, the current/default/global/remove steps.
        using var txn = _fixture.Store.BeginTransaction();
        SaveBuilders(txn, "mybuild", "mybuild2");
        Assert.Equal(2, txn.List().Count);

        txn.SetCurrent("foo", "mybuild", false, false);
        Assert.Equal("mybuild", txn.Current("foo")?.Name);
        Assert.Equal("mybuild", txn.Current("foo")?.Name);
        Assert.Null(txn.Current("bar"));
        Assert.Null(txn.Current("foo")); // "bar" took over `current`, and foo has no default

        txn.SetCurrent("foo", "mybuild", false, true);
        Assert.Equal("mybuild", txn.Current("foo")?.Name);
        Assert.Null(txn.Current("bar"));
        Assert.Equal("mybuild", txn.Current("foo")?.Name);

        txn.SetCurrent("foo", "mybuild2", false, true);
        Assert.Equal("mybuild2", txn.Current("foo")?.Name);

        txn.SetCurrent("bar", "mybuild", false, false);
        Assert.Equal("mybuild", txn.Current("bar")?.Name);
        Assert.Equal("mybuild2", txn.Current("foo")?.Name);

        txn.SetCurrent("foo", "mybuild2", true, false);
        Assert.Equal("mybuild2", txn.Current("foo")?.Name);
        Assert.Equal("mybuild2", txn.Current("bar")?.Name);

        txn.SetCurrent("bar", "mybuild", false, false);
        Assert.Equal("mybuild", txn.Current("bar")?.Name);
        Assert.Null(txn.Current("foo"));

        txn.SetCurrent("bar", "mybuild", false, true);
        txn.SetCurrent("foo", "mybuild2", false, false);
        txn.Remove("mybuild2");
        Assert.Null(txn.TryGet("mybuild2"));
        Assert.Null(txn.Current("foo"));
        Assert.Equal("mybuild", txn.Current("bar")?.Name);
    }

    [Fact]
    public void Resolves_the_fixture_current_and_default_as_buildx()
    {
        using var fixture = new BuildxStoreFixture();
        using var txn = fixture.Store.BeginTransaction();

        Assert.Equal("mybuilder", txn.Current(BuildxStoreFixture.DockerSocketKey)?.Name);
        Assert.Equal("""{"Key":"unix:///var/run/docker.sock","Name":"mybuilder","Global":false}""", fixture.ReadText("current"));

        // Another context: its defaults/ entry (sha256("desktop-linux")[:20]) names mybuilder, and
        // resolving it rewrites `current` to point there.
        Assert.Equal("mybuilder", txn.Current("desktop-linux")?.Name);
        Assert.Equal("""{"Key":"desktop-linux","Name":"mybuilder","Global":false}""", fixture.ReadText("current"));
        Assert.Equal("mybuilder", fixture.ReadText("defaults/fe9c6bd7a66301f49ca9"));
    }

    [Fact]
    public void The_defaults_file_name_is_the_sha256_prefix_buildx_uses()
    {
        Assert.Equal("fe9c6bd7a66301f49ca9", BuilderStoreTransaction.HashKey("desktop-linux"));
        Assert.Equal("13c4025c96f36e94b348", BuilderStoreTransaction.HashKey("unix:///var/run/docker.sock"));
    }

    [Fact]
    public void Use_with_default_writes_the_defaults_entry_and_without_it_removes_it()
    {
        using var txn = _fixture.Store.BeginTransaction();
        SaveBuilders(txn, "MyBuilder");
        var entry = "defaults/" + BuilderStoreTransaction.HashKey("ctx");

        txn.SetCurrent("ctx", "MyBuilder", global: false, isDefault: true);
        Assert.Equal("MyBuilder", _fixture.ReadText(entry));

        txn.SetCurrent("ctx", "MyBuilder", global: false, isDefault: false);
        Assert.False(File.Exists(_fixture.PathOf(entry)));
    }

    [Fact]
    public void A_global_builder_applies_to_every_key_until_it_is_gone()
    {
        using var txn = _fixture.Store.BeginTransaction();
        SaveBuilders(txn, "g");
        txn.SetCurrent("ctx-a", "g", global: true, isDefault: false);

        Assert.Equal("g", txn.Current("ctx-b")?.Name);

        File.Delete(_fixture.PathOf("instances/g"));
        Assert.Null(txn.Current("ctx-b"));
        Assert.Equal("""{"Key":"ctx-b","Name":"","Global":false}""", _fixture.ReadText("current"));
    }

    [Fact]
    public void A_selected_builder_that_is_gone_means_none_for_its_key()
    {
        using var txn = _fixture.Store.BeginTransaction();
        txn.SetCurrent("ctx", "vanished", global: false, isDefault: false);

        Assert.Null(txn.Current("ctx"));
        Assert.Equal("""{"Key":"ctx","Name":"vanished","Global":false}""", _fixture.ReadText("current"));
    }

    [Fact]
    public void A_default_naming_a_missing_builder_still_becomes_current_as_in_buildx()
    {
        _fixture.Write("defaults/" + BuilderStoreTransaction.HashKey("ctx"), "ghost");
        using var txn = _fixture.Store.BeginTransaction();

        Assert.Null(txn.Current("ctx"));
        Assert.Equal("""{"Key":"ctx","Name":"ghost","Global":false}""", _fixture.ReadText("current"));
    }

    [Fact]
    public void Removing_a_builder_drops_defaults_entries_naming_it()
    {
        using var txn = _fixture.Store.BeginTransaction();
        SaveBuilders(txn, "Keep", "Drop");
        txn.SetCurrent("a", "Drop", false, isDefault: true);
        txn.SetCurrent("b", "Keep", false, isDefault: true);

        txn.Remove("drop");

        Assert.False(File.Exists(_fixture.PathOf("defaults/" + BuilderStoreTransaction.HashKey("a"))));
        Assert.Equal("Keep", _fixture.ReadText("defaults/" + BuilderStoreTransaction.HashKey("b")));
    }
}
