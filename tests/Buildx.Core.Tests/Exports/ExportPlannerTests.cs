using Buildx.Core.Errors;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Exports;

public sealed class ExportPlannerTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void The_docker_driver_loads_into_the_engine_by_default()
    {
        var plan = ExportPlanner.Create([], ["app:1", "app:latest"], "docker", standardOutputAvailable: false);

        var export = Assert.Single(plan.Exports);
        Assert.Equal("moby", export.Type);
        Assert.Equal("app:1,app:latest", export.Attributes["name"]);
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void Other_drivers_warn_that_the_result_stays_in_the_cache()
    {
        var plan = ExportPlanner.Create([], [], "docker-container", standardOutputAvailable: false);

        Assert.Empty(plan.Exports);
        Assert.Contains("No output specified with docker-container driver", Assert.Single(plan.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Cacheonly_exports_nothing_and_does_not_warn()
    {
        var plan = ExportPlanner.Create([Spec("cacheonly")], [], "docker-container", standardOutputAvailable: false);

        Assert.Empty(plan.Exports);
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void Registry_becomes_a_pushed_image_and_needs_a_name()
    {
        var plan = ExportPlanner.Create([Spec("registry")], ["reg.example/app:1"], "remote", standardOutputAvailable: false);
        var export = Assert.Single(plan.Exports);
        Assert.Equal("image", export.Type);
        Assert.Equal("true", export.Attributes["push"]);
        Assert.Equal("false", export.Attributes["unpack"]);

        var error = Assert.Throws<BuildxException>(() => ExportPlanner.Create([Spec("registry")], [], "remote", false));
        Assert.Contains("tag is needed when pushing to registry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Local_needs_a_directory_destination()
    {
        var file = directory.Write("file.txt", "x");

        Assert.Equal(ErrorIds.InvalidOutput, Assert.Throws<BuildxException>(() => ExportPlanner.Create([Spec("local")], [], "docker", false)).ErrorId);
        Assert.Contains("is a file", Assert.Throws<BuildxException>(() => ExportPlanner.Create([Spec("local", file)], [], "docker", false)).Message, StringComparison.Ordinal);
        Assert.Contains("standard output", Assert.Throws<BuildxException>(() => ExportPlanner.Create([Spec("local", "-")], [], "docker", false)).Message, StringComparison.Ordinal);

        var plan = ExportPlanner.Create([Spec("local", Path.Combine(directory.Path, "out"))], [], "docker", false);
        Assert.Equal(ExportDestinationKind.Directory, Assert.Single(plan.Exports).DestinationKind);
    }

    [Fact]
    public void Tar_goes_to_a_file_or_to_the_standard_output()
    {
        var toFile = ExportPlanner.Create([Spec("tar", Path.Combine(directory.Path, "x.tar"))], [], "docker", false);
        Assert.Equal(ExportDestinationKind.File, Assert.Single(toFile.Exports).DestinationKind);

        var toStdout = ExportPlanner.Create([Spec("tar")], [], "docker", standardOutputAvailable: true);
        Assert.Equal(ExportDestinationKind.Stream, Assert.Single(toStdout.Exports).DestinationKind);

        Assert.Contains("is a directory", Assert.Throws<BuildxException>(() => ExportPlanner.Create([Spec("tar", directory.Path)], [], "docker", false)).Message, StringComparison.Ordinal);
        Assert.Contains("not available", Assert.Throws<BuildxException>(() => ExportPlanner.Create([Spec("tar")], [], "docker", false)).Message, StringComparison.Ordinal);
        Assert.Contains("multiple outputs", Assert.Throws<BuildxException>(() => ExportPlanner.Create([Spec("tar"), Spec("oci", "-")], [], "docker-container", true)).Message, StringComparison.Ordinal);
    }

    private static ExportSpec Spec(string type, string? destination = null) => new(type, destination, new Dictionary<string, string>());
}
