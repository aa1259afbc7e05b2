using Buildx.Core.Builds;
using Buildx.Core.Builds.Options;
using Buildx.Core.Docker;
using Buildx.Core.Errors;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Builds;

public sealed class DefaultProvenanceTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Theory]
    [InlineData("remote", false, true)]
    [InlineData("docker-container", false, true)]
    [InlineData("kubernetes", false, true)]
    [InlineData("docker", false, false)]
    [InlineData("docker", true, true)]
    public void Applies_to_drivers_that_build_multi_platform_images(string driver, bool engineImageStore, bool expected) =>
        Assert.Equal(expected, DefaultProvenance.IsCandidate(new BuildOptions(), driver, engineImageStore, Environment()));

    [Theory]
    [InlineData("type=provenance,mode=max")]
    [InlineData("type=provenance,disabled=true")]
    public void A_provenance_attestation_the_build_names_replaces_it_even_disabled(string attestation)
    {
        Assert.False(DefaultProvenance.IsCandidate(new BuildOptions { Attestations = [attestation] }, "remote", false, Environment()));
        Assert.True(DefaultProvenance.IsCandidate(new BuildOptions { Attestations = ["type=sbom"] }, "remote", false, Environment()));
    }

    [Theory]
    [InlineData("1", false)]
    [InlineData("true", false)]
    [InlineData("false", true)]
    [InlineData("0", true)]
    [InlineData("", true)]
    public void BUILDX_NO_DEFAULT_ATTESTATIONS_turns_it_off(string value, bool expected) =>
        Assert.Equal(expected, DefaultProvenance.IsCandidate(new BuildOptions(), "remote", false, Environment(value)));

    [Fact]
    public void A_BUILDX_NO_DEFAULT_ATTESTATIONS_that_is_not_a_boolean_is_refused()
    {
        var error = Assert.Throws<BuildxException>(() => DefaultProvenance.IsCandidate(new BuildOptions(), "remote", false, Environment("maybe")));

        Assert.Equal((ErrorIds.InvalidAttestation, BuildxErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.Contains("BUILDX_NO_DEFAULT_ATTESTATIONS='maybe'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v0.11.0", true)]
    [InlineData("v0.11.6", true)]
    [InlineData("v0.20.1", true)]
    [InlineData("v0.10.6", false)]
    [InlineData("v0.8+unknown", false)]
    [InlineData(null, false)]
    public void Daemons_have_image_attestations_from_BuildKit_v0_11(string? version, bool expected) =>
        Assert.Equal(expected, new DaemonFeatures(version).HasAttestations);

    [Fact]
    public void The_solve_request_carries_buildx_s_default_value_only_when_it_applies()
    {
        var outputs = new[] { ExportSpecParser.ParseCsv($"type=oci,dest={Path.Combine(directory.Path, "o.tar")}") };
        var plan = ExportPlanner.Create(outputs, [], new ExportPlanOptions { Driver = "remote" });
        var request = new BuildRequest { ContextPath = directory.Path, Outputs = outputs };
        var dockerfile = Path.Combine(directory.Path, "Dockerfile");

        var with = BuildRunner.CreateSolveRequest(request, dockerfile, "remote", plan.Exports, defaultProvenance: true);
        var without = BuildRunner.CreateSolveRequest(request, dockerfile, "remote", plan.Exports, defaultProvenance: false);

        Assert.Equal("mode=min,inline-only=true", with.FrontendAttrs["attest:provenance"]);
        Assert.False(without.FrontendAttrs.ContainsKey("attest:provenance"));
    }

    private FixedEnvironment Environment(string? disable = null) => new(
        disable is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [DefaultProvenance.DisableVariable] = disable },
        directory.Path);
}
