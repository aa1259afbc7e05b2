using Buildx.Core.Builds;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Builds;

/// <summary>
/// The exact exporter part of the Solve request. The engine's BuildKit has no oci or image exporter,
/// so these requests are checked here against BuildKit's documented fields and keys.
/// </summary>
public sealed class ExporterRequestTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void An_oci_tarball_goes_out_as_the_oci_exporter_with_BuildKit_keys()
    {
        var output = ExportSpecParser.ParseCsv($"type=oci,dest={Path.Combine(directory.Path, "x.tar")},compression=zstd,compression-level=3,annotation-index.org.opencontainers.image.title=app");

        var solve = Solve([output], ["app:1"], "docker-container");

        var exporter = Assert.Single(solve.Exporters);
        Assert.Equal("oci", exporter.Type);
        Assert.Equal("zstd", exporter.Attrs["compression"]);
        Assert.Equal("3", exporter.Attrs["compression-level"]);
        Assert.Equal("app:1", exporter.Attrs["name"]);
        Assert.Equal("app", exporter.Attrs["annotation-index.org.opencontainers.image.title"]);
        // dest is the client's business and never reaches BuildKit.
        Assert.False(exporter.Attrs.ContainsKey("dest"));
        // One exporter also fills the legacy fields that daemons before v0.13 read.
        Assert.Equal("oci", solve.ExporterDeprecated);
        Assert.Equal(exporter.Attrs, solve.ExporterAttrsDeprecated);
    }

    [Fact]
    public void A_registry_output_goes_out_as_a_pushed_image_with_registry_insecure()
    {
        var output = ExportSpecParser.ParseCsv("type=registry,name=reg.example:5000/app:1,insecure=true,oci-mediatypes=true");

        var exporter = Assert.Single(Solve([output], [], "docker-container").Exporters);

        Assert.Equal("image", exporter.Type);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["name"] = "reg.example:5000/app:1",
                ["registry.insecure"] = "true",
                ["oci-mediatypes"] = "true",
                ["push"] = "true",
                ["unpack"] = "false",
            },
            exporter.Attrs);
    }

    [Fact]
    public void Several_exporters_go_together_in_Exporters_without_the_legacy_fields()
    {
        var outputs = new[]
        {
            ExportSpecParser.ParseCsv($"type=local,dest={Path.Combine(directory.Path, "a")}"),
            ExportSpecParser.ParseCsv($"type=tar,dest={Path.Combine(directory.Path, "b.tar")}"),
            ExportSpecParser.ParseCsv("type=image,name=app:1,push=true"),
        };

        var solve = Solve(outputs, [], "remote");

        Assert.Equal(["local", "tar", "image"], solve.Exporters.Select(e => e.Type));
        Assert.Equal(string.Empty, solve.ExporterDeprecated);
        Assert.Empty(solve.ExporterAttrsDeprecated);
    }

    [Theory]
    [InlineData("v0.13.0", true)]
    [InlineData("v0.20.1", true)]
    [InlineData("v1.0.0", true)]
    [InlineData("v0.12.5", false)]
    [InlineData("v0.8+unknown", false)]
    [InlineData("v0.8.2+eeb7b65", false)]
    [InlineData(null, false)]
    [InlineData("", false)]
    public void Several_exporters_in_one_solve_need_BuildKit_v0_13(string? version, bool supported) =>
        Assert.Equal(supported, new DaemonFeatures(version).TakesSeveralExporters);

    private Buildx.Core.BuildKit.Protocol.Control.SolveRequest Solve(IReadOnlyList<ExportSpec> outputs, IReadOnlyList<string> tags, string driver)
    {
        var plan = ExportPlanner.Create(outputs, tags, new ExportPlanOptions { Driver = driver });
        var request = new BuildRequest { ContextPath = directory.Path, Outputs = outputs, Tags = tags };
        return BuildRunner.CreateSolveRequest(request, Path.Combine(directory.Path, "Dockerfile"), driver, plan.Exports);
    }
}
