using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Tests.Store;

public sealed class NodeGroupUpdateTests
{
    private static string[] Formatted(IEnumerable<OciPlatform>? platforms) => (platforms ?? []).Select(p => p.ToString()).ToArray();

    [Fact]
    public void Follows_buildx_own_update_scenario()
    {
        // buildx store/nodegroup_test.go TestNodeGroupUpdate, step by step.
        var group = new NodeGroup();
        group.Update(new NodeUpdate { NodeName = "foo", Endpoint = "foo0", Platforms = ["linux/amd64"], EndpointIsExplicit = true, BuildkitdFlags = ["--debug"] });
        group.Update(new NodeUpdate { NodeName = "foo1", Endpoint = "foo1", Platforms = ["linux/arm64", "linux/arm/v7"], EndpointIsExplicit = true, Append = true });
        Assert.Equal(2, group.Nodes!.Count);

        var needsRestart = group.Update(new NodeUpdate { NodeName = "foo", Endpoint = "foo2", Platforms = ["linux/amd64", "linux/arm"], EndpointIsExplicit = true });

        Assert.True(needsRestart);
        Assert.Equal(2, group.Nodes.Count);
        Assert.Equal(["linux/amd64", "linux/arm/v7"], Formatted(group.Nodes[0].Platforms));
        Assert.Equal(["linux/arm64"], Formatted(group.Nodes[1].Platforms));
        Assert.Equal("foo2", group.Nodes[0].Endpoint);
        Assert.Equal(["--debug"], group.Nodes[0].BuildkitdFlags);
        Assert.Null(group.Nodes[1].BuildkitdFlags);

        var duplicate = Assert.Throws<BuildxException>(() => group.Update(new NodeUpdate { NodeName = "foo1", Endpoint = "foo2", EndpointIsExplicit = true }));
        Assert.Equal(ErrorIds.DuplicateEndpoint, duplicate.ErrorId);
        Assert.Equal("invalid duplicate endpoint foo2", duplicate.Message);

        group.Leave("foo");
        Assert.Equal(["linux/arm64"], Formatted(Assert.Single(group.Nodes).Platforms));
    }

    [Fact]
    public void Unnamed_nodes_get_the_first_free_builder_name_with_an_index()
    {
        var group = new NodeGroup { Name = "MyBuilder", Driver = "docker-container" };

        group.Update(new NodeUpdate { Endpoint = "ctx-a" });
        group.Update(new NodeUpdate { Endpoint = "ctx-b", Append = true });
        group.Nodes!.RemoveAt(0);
        group.Update(new NodeUpdate { Endpoint = "ctx-c", Append = true });

        // Stored lower-cased by name validation, as buildx stores them; the first free index is reused.
        Assert.Equal(["mybuilder1", "mybuilder0"], group.Nodes.Select(n => n.Name));
        Assert.Equal("MyBuilder2", group.NextNodeName());
    }

    [Fact]
    public void A_first_node_keeps_unset_settings_null()
    {
        var group = new NodeGroup { Name = "b", Driver = "remote" };

        group.Update(new NodeUpdate { Endpoint = "tcp://h:1234", EndpointIsExplicit = true });

        var node = Assert.Single(group.Nodes!);
        Assert.Null(node.Platforms);
        Assert.Null(node.DriverOpts);
        Assert.Null(node.BuildkitdFlags);
        Assert.Null(node.Files);
    }

    [Fact]
    public void Appending_takes_pinned_platforms_off_other_nodes_and_leaves_their_lists_non_null()
    {
        var group = new NodeGroup { Name = "b", Driver = "remote" };
        group.Update(new NodeUpdate { Endpoint = "tcp://a:1" });

        group.Update(new NodeUpdate { Endpoint = "tcp://b:1", Append = true, Platforms = ["linux/arm64,linux/riscv64"] });

        // Go's filterPlatforms returns an empty, non-nil slice: buildx then writes [] not null.
        Assert.NotNull(group.Nodes![0].Platforms);
        Assert.Empty(group.Nodes[0].Platforms!);
        Assert.Equal(["linux/arm64", "linux/riscv64"], Formatted(group.Nodes[1].Platforms));
    }

    [Fact]
    public void An_unknown_node_without_append_is_an_error_once_nodes_exist()
    {
        var group = new NodeGroup { Name = "b", Driver = "remote" };
        group.Update(new NodeUpdate { Endpoint = "tcp://a:1" });

        var error = Assert.Throws<BuildxException>(() => group.Update(new NodeUpdate { NodeName = "other", Endpoint = "tcp://b:1" }));

        Assert.Equal(ErrorIds.NodeNotFound, error.ErrorId);
        Assert.Equal(BuildxErrorKind.ObjectNotFound, error.Kind);
        Assert.Equal("node other not found, did you mean to append?", error.Message);
    }

    [Fact]
    public void Updating_an_existing_node_replaces_only_what_was_given()
    {
        var group = new NodeGroup { Name = "b", Driver = "docker-container" };
        group.Update(new NodeUpdate
        {
            NodeName = "n",
            Endpoint = "ctx",
            Platforms = ["linux/amd64"],
            BuildkitdFlags = ["--debug"],
            DriverOptions = new Dictionary<string, string> { ["image"] = "a" },
            ConfigFiles = new Dictionary<string, byte[]> { ["buildkitd.toml"] = [1], ["certs/x/ca.pem"] = [2] },
        });

        var needsRestart = group.Update(new NodeUpdate
        {
            NodeName = "n",
            Endpoint = "ignored",
            ConfigFiles = new Dictionary<string, byte[]> { ["buildkitd.toml"] = [3] },
        });

        var node = Assert.Single(group.Nodes!);
        Assert.True(needsRestart);
        Assert.Equal("ctx", node.Endpoint);
        Assert.Equal(["linux/amd64"], Formatted(node.Platforms));
        Assert.Equal(["--debug"], node.BuildkitdFlags);
        Assert.Equal("a", node.DriverOpts!["image"]);
        Assert.Equal([3], node.Files!["buildkitd.toml"]);
        Assert.Equal([2], node.Files["certs/x/ca.pem"]);
        Assert.False(group.Update(new NodeUpdate { NodeName = "n", Endpoint = "ctx", Platforms = ["linux/arm64"] }));
    }

    [Fact]
    public void An_invalid_node_name_is_refused()
    {
        var group = new NodeGroup { Name = "b", Driver = "remote" };

        var error = Assert.Throws<BuildxException>(() => group.Update(new NodeUpdate { NodeName = "0node", Endpoint = "tcp://a:1" }));

        Assert.Equal(ErrorIds.InvalidBuilderName, error.ErrorId);
    }

    [Fact]
    public void Leave_refuses_unknown_and_last_nodes()
    {
        var group = new NodeGroup { Name = "b", Driver = "remote" };
        group.Update(new NodeUpdate { Endpoint = "tcp://a:1" });

        var unknown = Assert.Throws<BuildxException>(() => group.Leave("zz"));
        var last = Assert.Throws<BuildxException>(() => group.Leave("b0"));

        Assert.Equal(ErrorIds.NodeNotFound, unknown.ErrorId);
        Assert.Equal("node \"zz\" not found for b", unknown.Message);
        Assert.Equal(ErrorIds.LastNodeCannotLeave, last.ErrorId);
        Assert.Equal("can not leave last node, do you want to rm instance instead?", last.Message);
    }

    [Fact]
    public void Dynamic_groups_cannot_change()
    {
        var group = new NodeGroup { Name = "k", Driver = "kubernetes", Dynamic = true };

        var error = Assert.Throws<BuildxException>(() => group.Update(new NodeUpdate { Endpoint = "x" }));

        Assert.Equal(ErrorIds.DynamicBuilderImmutable, error.ErrorId);
        Assert.Equal("dynamic node group does not support Update", error.Message);
    }

    [Fact]
    public void Create_checks_for_an_existing_builder()
    {
        var group = new NodeGroup { Name = "b", Driver = "remote" };

        var exists = Assert.Throws<BuildxException>(() => group.EnsureCanModify(nodeName: null, append: false, driver: "remote"));
        var mismatch = Assert.Throws<BuildxException>(() => group.EnsureCanModify(nodeName: null, append: true, driver: "docker-container"));
        group.EnsureCanModify(nodeName: "b0", append: false, driver: "remote");

        Assert.Equal(ErrorIds.BuilderExists, exists.ErrorId);
        Assert.Equal("existing instance for \"b\" but no append mode, specify the node name to make changes for existing instances", exists.Message);
        Assert.Equal(ErrorIds.BuilderDriverMismatch, mismatch.ErrorId);
        Assert.Equal("existing instance for \"b\" but has mismatched driver \"remote\"", mismatch.Message);
    }

    [Fact]
    public void Copy_is_deep_and_keeps_nulls()
    {
        var group = new NodeGroup { Name = "b", Driver = "remote" };
        group.Update(new NodeUpdate { Endpoint = "tcp://a:1", Platforms = ["linux/amd64"], ConfigFiles = new Dictionary<string, byte[]> { ["f"] = [1] } });

        var copy = group.Copy();
        group.Nodes![0].Platforms!.Clear();
        group.Nodes[0].Files!["f"][0] = 9;

        Assert.Equal(["linux/amd64"], Formatted(copy.Nodes![0].Platforms));
        Assert.Equal([1], copy.Nodes[0].Files!["f"]);
        Assert.Null(copy.Nodes[0].DriverOpts);
    }
}
