using Buildx.Core.Errors;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Exports;

/// <summary>-Push, -Load and -Tag resolve into exporters as buildx resolves them, per driver.</summary>
public sealed class ExportShorthandTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Push_alone_adds_a_pushed_image_named_by_the_tags()
    {
        var plan = Plan([], ["reg.example/app:1", "reg.example/app:2"], "docker-container", push: true);

        var export = Assert.Single(plan.Exports);
        Assert.Equal("image", export.Type);
        Assert.Equal("true", export.Attributes["push"]);
        Assert.Equal("false", export.Attributes["unpack"]);
        Assert.Equal("reg.example/app:1,reg.example/app:2", export.Attributes["name"]);
    }

    [Fact]
    public void Push_sets_push_on_existing_image_outputs_and_keeps_an_explicit_unpack()
    {
        var image = new ExportSpec("image", null, new Dictionary<string, string> { ["unpack"] = "true" });
        var plan = Plan([image, Spec("tar", Path.Combine(directory.Path, "x.tar"))], ["reg.example/app:1"], "docker-container", push: true);

        Assert.Equal(2, plan.Exports.Count);
        Assert.Equal("true", plan.Exports[0].Attributes["push"]);
        Assert.Equal("true", plan.Exports[0].Attributes["unpack"]);
        Assert.False(plan.Exports[1].Attributes.ContainsKey("push"));
    }

    [Fact]
    public void Push_without_a_name_is_refused()
    {
        var error = Assert.Throws<BuildxException>(() => Plan([], [], "docker-container", push: true));

        Assert.Equal(ErrorIds.InvalidOutput, error.ErrorId);
        Assert.Contains("tag is needed when pushing to registry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_adds_a_docker_output_that_feeds_the_engine_on_other_drivers()
    {
        var plan = Plan([Spec("local", Path.Combine(directory.Path, "out"))], ["app:1"], "docker-container", load: true);

        Assert.Equal(2, plan.Exports.Count);
        Assert.Equal("docker", plan.Exports[1].Type);
        Assert.Equal(ExportDestinationKind.EngineLoad, plan.Exports[1].DestinationKind);
        Assert.Equal("app:1", plan.Exports[1].Attributes["name"]);
    }

    [Fact]
    public void Load_does_not_add_a_second_docker_output()
    {
        var plan = Plan([Spec("docker", Path.Combine(directory.Path, "x.tar"))], [], "docker-container", load: true);

        Assert.Equal(ExportDestinationKind.File, Assert.Single(plan.Exports).DestinationKind);
    }

    [Fact]
    public void The_docker_driver_loads_and_pushes_through_its_moby_exporter()
    {
        var plan = Plan([], ["127.0.0.1:5000/app:1"], "docker", load: true, push: true);

        Assert.Equal(2, plan.Exports.Count);
        Assert.All(plan.Exports, e => Assert.Equal("moby", e.Type));
        Assert.True(plan.Exports[0].Pushes);
        Assert.False(plan.Exports[1].Pushes);
        Assert.Equal(["127.0.0.1:5000/app:1"], plan.Exports[0].Names);
    }

    [Theory]
    [InlineData("oci", "OCI exporter is not supported for the docker driver")]
    [InlineData("docker", "Docker exporter is not supported for the docker driver")]
    public void The_docker_driver_refuses_oci_and_docker_files(string type, string message)
    {
        var error = Assert.Throws<BuildxException>(() => Plan([Spec(type, Path.Combine(directory.Path, "x.tar"))], [], "docker"));

        Assert.Equal(ErrorIds.OutputNotSupported, error.ErrorId);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("docker-container", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_docker_driver_takes_oci_when_the_engine_stores_images_in_containerd()
    {
        var plan = ExportPlanner.Create([Spec("oci", Path.Combine(directory.Path, "x.tar"))], [], new ExportPlanOptions { Driver = "docker", EngineImageStore = true });

        Assert.Equal("oci", Assert.Single(plan.Exports).Type);
    }

    [Fact]
    public void The_docker_driver_refuses_push_by_digest_and_index_annotations()
    {
        var byDigest = new ExportSpec("image", null, new Dictionary<string, string> { ["name"] = "app", ["push"] = "true", ["push-by-digest"] = "true" });
        var index = new ExportSpec("image", null, new Dictionary<string, string> { ["name"] = "app", ["annotation-index.k"] = "v" });

        Assert.Contains("push-by-digest is currently not implemented for docker driver", Assert.Throws<BuildxException>(() => Plan([byDigest], [], "docker")).Message, StringComparison.Ordinal);
        Assert.Contains("index annotations", Assert.Throws<BuildxException>(() => Plan([index], [], "docker")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_docker_output_without_dest_on_the_docker_driver_becomes_moby()
    {
        var plan = Plan([Spec("docker")], ["app:1"], "docker");

        var export = Assert.Single(plan.Exports);
        Assert.Equal("moby", export.Type);
        Assert.Equal("app:1", export.Attributes["name"]);
    }

    [Fact]
    public void Tags_name_oci_and_docker_tarballs_but_not_file_exporters()
    {
        var plan = Plan([Spec("oci", Path.Combine(directory.Path, "o.tar")), Spec("tar", Path.Combine(directory.Path, "t.tar"))], ["app:1"], "docker-container");

        Assert.Equal("app:1", plan.Exports[0].Attributes["name"]);
        Assert.False(plan.Exports[1].Attributes.ContainsKey("name"));
    }

    [Fact]
    public void An_oci_layout_directory_asks_the_daemon_for_the_tarball_to_unpack()
    {
        var layout = new ExportSpec("oci", Path.Combine(directory.Path, "layout"), new Dictionary<string, string> { ["tar"] = "false" });

        var export = Assert.Single(Plan([layout], ["app:1"], "docker-container").Exports);

        Assert.Equal(ExportDestinationKind.LayoutDirectory, export.DestinationKind);
        Assert.Equal(Path.Combine(directory.Path, "layout"), export.Path);
        Assert.False(export.Attributes.ContainsKey("tar"));
        Assert.Equal("app:1", export.Attributes["name"]);
    }

    [Fact]
    public void An_oci_layout_directory_cannot_be_a_file()
    {
        var file = Path.Combine(directory.Path, "layout.tar");
        File.WriteAllText(file, "x");
        var layout = new ExportSpec("oci", file, new Dictionary<string, string> { ["tar"] = "false" });

        Assert.Equal(ErrorIds.InvalidOutput, Assert.Throws<BuildxException>(() => Plan([layout], [], "docker-container")).ErrorId);
    }

    [Fact]
    public void Two_outputs_to_the_same_file_are_refused()
    {
        var path = Path.Combine(directory.Path, "x.tar");

        Assert.Contains("several outputs write to", Assert.Throws<BuildxException>(() => Plan([Spec("tar", path), Spec("oci", path)], [], "docker-container")).Message, StringComparison.Ordinal);
    }

    private static ExportPlanner.Plan Plan(IReadOnlyList<ExportSpec> outputs, IReadOnlyList<string> tags, string driver, bool load = false, bool push = false) =>
        ExportPlanner.Create(outputs, tags, new ExportPlanOptions { Driver = driver, Load = load, Push = push });

    private static ExportSpec Spec(string type, string? destination = null) => new(type, destination, new Dictionary<string, string>());
}
