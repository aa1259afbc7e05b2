using System.Text;
using System.Text.Json;
using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Tests.Store;

/// <summary>
/// The fixture files were written in buildx's format and checked byte for byte against Go's
/// encoding/json (unmarshal + marshal of buildx's structs reproduces each one exactly).
/// </summary>
public sealed class StoreFormatTests : IDisposable
{
    private readonly BuildxStoreFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Reads_a_builder_written_by_buildx()
    {
        using var txn = _fixture.Store.BeginTransaction();

        var group = txn.Get("mybuilder");

        Assert.Equal("mybuilder", group.Name);
        Assert.Equal("docker-container", group.Driver);
        Assert.False(group.Dynamic);
        Assert.Equal(new DateTimeOffset(2026, 8, 20, 14, 16, 49, TimeSpan.Zero), group.LastActivity);
        Assert.Equal(3, group.Nodes!.Count);

        var node = group.Nodes[0];
        Assert.Equal("mybuilder0", node.Name);
        Assert.Equal("unix:///var/run/docker.sock", node.Endpoint);
        Assert.Equal(["linux/amd64", "linux/arm/v7"], node.Platforms!.Select(p => p.ToString()));
        Assert.Equal("v7", node.Platforms![1].Variant);
        Assert.Equal(["--allow-insecure-entitlement=network.host"], node.BuildkitdFlags);
        Assert.Equal("moby/buildkit:buildx-stable-1", node.DriverOpts!["image"]);
        Assert.Equal("host", node.DriverOpts["network"]);
        Assert.Equal("http://proxy.example:3128/?a=1&b=<2>", node.DriverOpts["env.http_proxy"]);
        Assert.StartsWith("debug = true\n\n[registry.\"myregistry.local:5000\"]", Encoding.UTF8.GetString(node.Files!["buildkitd.toml"]), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", Encoding.UTF8.GetString(node.Files["certs/myregistry.local_5000/ca.pem"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Keeps_nulls_apart_from_empty_collections()
    {
        using var txn = _fixture.Store.BeginTransaction();

        var group = txn.Get("mybuilder");
        var second = group.Nodes![1];
        var third = group.Nodes[2];

        Assert.NotNull(second.Platforms);
        Assert.Empty(second.Platforms);
        Assert.Null(second.DriverOpts);
        Assert.Null(second.BuildkitdFlags);
        Assert.Null(second.Files);
        Assert.Empty(third.DriverOpts!);
        Assert.Empty(third.BuildkitdFlags!);
        Assert.Empty(third.Files!);
        Assert.Null(txn.Get("empty").Nodes);
    }

    [Fact]
    public void Reads_windows_platform_fields()
    {
        using var txn = _fixture.Store.BeginTransaction();

        var platform = Assert.Single(txn.Get("mybuilder").Nodes![2].Platforms!);

        Assert.Equal("windows", platform.OS);
        Assert.Equal("amd64", platform.Architecture);
        Assert.Equal("10.0.20348", platform.OSVersion);
        Assert.Equal(["win32k"], platform.OSFeatures);
        Assert.Equal("windows/amd64", platform.ToString());
    }

    [Fact]
    public void Names_are_looked_up_case_insensitively_but_keep_their_case()
    {
        using var txn = _fixture.Store.BeginTransaction();

        var group = txn.Get("EMPTY");

        Assert.Equal("Empty", group.Name);
        Assert.Null(txn.TryGet("nosuchbuilder"));
    }

    [Theory]
    [InlineData("mybuilder")]
    [InlineData("empty")]
    [InlineData("unicode")]
    public void Saving_an_unchanged_builder_rewrites_the_identical_bytes(string fileName)
    {
        var original = BuildxStoreFixture.FixtureBytes("instances/" + fileName);
        using var txn = _fixture.Store.BeginTransaction();

        txn.Save(txn.Get(fileName));

        Assert.Equal(original, _fixture.ReadBytes("instances/" + fileName));
    }

    [Fact]
    public void JsonSerializer_writes_what_buildx_writes()
    {
        var original = BuildxStoreFixture.FixtureBytes("instances/mybuilder");

        var group = JsonSerializer.Deserialize<NodeGroup>(original)!;
        var written = JsonSerializer.SerializeToUtf8Bytes(group);

        Assert.Equal(original, written);
    }

    [Fact]
    public void A_new_builder_is_written_as_go_marshals_it()
    {
        // Expected bytes produced by Go's json.Marshal of buildx's NodeGroup with the same values.
        const string expected = """{"Name":"MyBuilder","Driver":"docker-container","Nodes":[{"Name":"mybuilder0","Endpoint":"default","Platforms":null,"DriverOpts":null,"Flags":["--allow-insecure-entitlement=network.host"],"Files":null}],"Dynamic":false}""";
        var group = new NodeGroup { Name = "MyBuilder", Driver = "docker-container" };
        group.Update(new NodeUpdate { Endpoint = "default", BuildkitdFlags = ["--allow-insecure-entitlement=network.host"] });
        using var txn = _fixture.Store.BeginTransaction();

        txn.Save(group);

        Assert.Equal(expected, _fixture.ReadText("instances/mybuilder"));
    }

    [Fact]
    public void Strings_are_escaped_as_go_escapes_them()
    {
        var group = new NodeGroup
        {
            Name = "esc",
            Driver = "a<b>&c \"q\" \\ \b\f\n\r\t \u0001\u001f \u007f é 日本 😀 \u2028\u2029 /",
        };

        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(group));

        Assert.Equal(
            """{"Name":"esc","Driver":"a\u003cb\u003e\u0026c \"q\" \\ \b\f\n\r\t \u0001\u001f """ + "\u007f é 日本 😀 " + """\u2028\u2029 /","Nodes":null,"Dynamic":false}""",
            json);
    }

    [Fact]
    public void A_lone_surrogate_is_written_as_the_replacement_character()
    {
        var group = new NodeGroup { Name = "x", Driver = "a\uD800b" };

        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(group));

        Assert.Contains("""a\ufffdb""", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_keys_are_sorted_by_utf8_bytes_as_go_sorts_them()
    {
        var node = new Node
        {
            DriverOpts = new Dictionary<string, string>
            {
                ["😀"] = "1",
                ["\uE000"] = "2",
                ["b"] = "3",
                ["B"] = "4",
                [""] = "5",
            },
        };

        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(node));

        Assert.Contains("""{"":"5","B":"4","b":"3","""+ "\"\uE000\":\"2\",\"😀\":\"1\"}", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Platform_optional_fields_are_omitted_when_empty()
    {
        var platform = new OciPlatform { Architecture = "amd64", OS = "linux", OSFeatures = [] };

        Assert.Equal("""{"architecture":"amd64","os":"linux"}""", Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(platform)));
    }

    [Fact]
    public void Unknown_fields_from_a_newer_buildx_survive_a_rewrite()
    {
        _fixture.Write(
            "instances/future",
            """{"Name":"future","Driver":"remote","Nodes":[{"Name":"future0","Endpoint":"tcp://h:1234","Platforms":[{"architecture":"amd64","os":"linux","cpu.flags":["avx"]}],"DriverOpts":null,"Flags":null,"Files":null,"Labels":{"b":"2","a":"1"}}],"Dynamic":false,"Created":"2026-01-01T00:00:00Z","Weight":1.50}""");
        using var txn = _fixture.Store.BeginTransaction();

        txn.Save(txn.Get("future"));

        Assert.Equal(
            """{"Name":"future","Driver":"remote","Nodes":[{"Name":"future0","Endpoint":"tcp://h:1234","Platforms":[{"architecture":"amd64","os":"linux","cpu.flags":["avx"]}],"DriverOpts":null,"Flags":null,"Files":null,"Labels":{"b":"2","a":"1"}}],"Dynamic":false,"Created":"2026-01-01T00:00:00Z","Weight":1.50}""",
            _fixture.ReadText("instances/future"));
    }

    [Fact]
    public void Field_names_match_case_insensitively_and_null_leaves_a_string_empty_as_go_does()
    {
        _fixture.Write(
            "instances/loose",
            """{ "name": "loose", "DRIVER": null, "nodes": [ { "Name": "loose0", "flags": ["--debug"], "Platforms": [ { "OS": "linux", "Architecture": "arm64" } ] } ] }""");
        using var txn = _fixture.Store.BeginTransaction();

        var group = txn.Get("loose");
        txn.Save(group);

        Assert.Equal(string.Empty, group.Driver);
        Assert.Equal(["--debug"], group.Nodes![0].BuildkitdFlags);
        Assert.Equal(
            """{"Name":"loose","Driver":"","Nodes":[{"Name":"loose0","Endpoint":"","Platforms":[{"architecture":"arm64","os":"linux"}],"DriverOpts":null,"Flags":["--debug"],"Files":null}],"Dynamic":false}""",
            _fixture.ReadText("instances/loose"));
    }

    [Theory]
    [InlineData("""{"Name":"bad","Driver":"x","Nodes":{}}""")]
    [InlineData("""{"Name":"bad","Driver":7}""")]
    [InlineData("""{"Name":"bad","Dynamic":"yes"}""")]
    [InlineData("""{"Name":"bad","Nodes":[{"Files":{"a":"not base64!"}}]}""")]
    [InlineData("""{"Name":"bad",""")]
    public void A_file_go_would_not_unmarshal_is_reported_as_corrupt(string content)
    {
        _fixture.Write("instances/bad", content);
        using var txn = _fixture.Store.BeginTransaction();

        var error = Assert.Throws<BuildxException>(() => txn.Get("bad"));

        Assert.Equal(ErrorIds.StoreCorrupt, error.ErrorId);
        Assert.Contains("instances", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Current_is_written_as_go_marshals_it()
    {
        using var txn = _fixture.Store.BeginTransaction();

        txn.SetCurrent("a<b>&c", "x", global: true, isDefault: false);

        Assert.Equal("""{"Key":"a\u003cb\u003e\u0026c","Name":"x","Global":true}""", _fixture.ReadText("current"));
    }

    [Fact]
    public void Rewriting_current_reproduces_buildx_bytes()
    {
        var original = BuildxStoreFixture.FixtureBytes("current");
        using var txn = _fixture.Store.BeginTransaction();
        var record = txn.GetCurrentRecord()!;

        txn.SetCurrent(record.Key, record.Name, record.Global, isDefault: false);

        Assert.Equal(new CurrentBuilderRecord(BuildxStoreFixture.DockerSocketKey, "mybuilder", false), record);
        Assert.Equal(original, _fixture.ReadBytes("current"));
    }
}
