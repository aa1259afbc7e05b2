using Buildx.Core.Errors;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Exports;

/// <summary>Every exporter type and attribute of the seed's tables: accepted values, and refusals that say what is accepted.</summary>
public sealed class ExportAttributeRulesTests
{
    public static TheoryData<string, string, string> AcceptedAttributes => new()
    {
        { "image", "name", "reg.example/app:1,reg.example/app:latest" },
        { "image", "push", "true" },
        { "image", "push-by-digest", "true" },
        { "image", "registry.insecure", "true" },
        { "image", "dangling-name-prefix", "dangling" },
        { "image", "name-canonical", "true" },
        { "image", "compression", "zstd" },
        { "image", "force-compression", "true" },
        { "image", "oci-mediatypes", "false" },
        { "image", "buildinfo", "false" },
        { "image", "buildinfo-attrs", "true" },
        { "image", "unpack", "true" },
        { "image", "store", "false" },
        { "image", "annotation.org.opencontainers.image.title", "app" },
        { "image", "annotation-index.org.opencontainers.image.title", "app" },
        { "image", "annotation-manifest[linux/amd64].com.example.k", "v" },
        { "image", "annotation-manifest-descriptor.k", "v" },
        { "image", "annotation-index-descriptor.k", "v" },
        { "registry", "push", "" },
        { "oci", "tar", "true" },
        { "oci", "compression", "estargz" },
        { "oci", "buildinfo", "true" },
        { "docker", "name", "app:1" },
        { "docker", "oci-mediatypes", "true" },
        { "docker", "annotation.k", "v" },
        { "local", "platform-split", "false" },
        { "local", "mode", "delete" },
        { "tar", "attestation-prefix", "att-" },
        { "tar", "source-date-epoch", "1700000000" },
    };

    [Theory]
    [MemberData(nameof(AcceptedAttributes))]
    public void Accepts_every_documented_attribute(string type, string key, string value)
    {
        var normalized = ExportAttributeRules.Normalize(Spec(type, (key, value)));

        Assert.Equal(value, normalized[key]);
    }

    [Theory]
    [InlineData("gzip", "9")]
    [InlineData("estargz", "0")]
    [InlineData("zstd", "22")]
    public void Accepts_compression_levels_in_range(string compression, string level) =>
        ExportAttributeRules.Normalize(Spec("image", ("compression", compression), ("compression-level", level)));

    [Theory]
    [InlineData("gzip", "10", "0-9")]
    [InlineData("estargz", "-1", "0-9")]
    [InlineData("zstd", "23", "0-22")]
    [InlineData("zstd", "fast", "0-22")]
    [InlineData("uncompressed", "1", "does not apply")]
    public void Refuses_compression_levels_out_of_range(string compression, string level, string accepted)
    {
        var error = Refused(Spec("oci", ("compression", compression), ("compression-level", level)));

        Assert.Contains(accepted, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_level_without_compression_is_checked_against_gzip()
    {
        Assert.Contains("0-9", Refused(Spec("image", ("compression-level", "15"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_unknown_compressions_naming_the_known_ones()
    {
        var error = Refused(Spec("image", ("compression", "brotli")));

        Assert.Contains("uncompressed, gzip, estargz, zstd", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("image", "push", "yes")]
    [InlineData("image", "store", "maybe")]
    [InlineData("oci", "tar", "on")]
    [InlineData("local", "platform-split", "2")]
    public void Refuses_booleans_that_are_not(string type, string key, string value)
    {
        Assert.Contains("not a boolean", Refused(Spec(type, (key, value))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_unknown_keys_and_suggests_the_closest()
    {
        var error = Refused(Spec("image", ("compresion", "gzip")));

        Assert.Contains("did you mean 'compression'", error.Message, StringComparison.Ordinal);
        Assert.Contains("registry.insecure", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("local", "push")]
    [InlineData("tar", "name")]
    [InlineData("oci", "push")]
    [InlineData("docker", "store")]
    [InlineData("cacheonly", "name")]
    public void Refuses_keys_the_type_does_not_read(string type, string key)
    {
        Assert.Contains($"has no attribute '{key}'", Refused(Spec(type, (key, "true"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rewrites_documented_aliases_to_the_keys_BuildKit_reads()
    {
        var normalized = ExportAttributeRules.Normalize(Spec("image", ("insecure", "true"), ("dangling-name-empty-only", "true")));

        Assert.Equal("true", normalized["registry.insecure"]);
        Assert.Equal("true", normalized["danging-name-empty-only"]);
        Assert.False(normalized.ContainsKey("insecure"));
    }

    [Fact]
    public void Refuses_an_alias_given_together_with_its_key()
    {
        Assert.Contains("second time", Refused(Spec("image", ("insecure", "true"), ("registry.insecure", "false"))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("annotation-layer.k", "annotation level 'layer'")]
    [InlineData("annotation.", "not an annotation key")]
    [InlineData("annotationx.k", "not an annotation key")]
    public void Refuses_bad_annotation_keys(string key, string expected)
    {
        Assert.Contains(expected, Refused(Spec("image", (key, "v"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_annotations_on_file_exporters()
    {
        Assert.Contains("takes no annotations", Refused(Spec("local", ("annotation.k", "v"))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("compression", "estargz", "oci-mediatypes", "false", "needs OCI media types")]
    [InlineData("oci-artifact", "true", "oci-mediatypes", "false", "needs OCI media types")]
    [InlineData("rewrite-timestamp", "true", "unpack", "true", "cannot be combined")]
    [InlineData("push-by-digest", "true", "push", "false", "cannot be combined with push=false")]
    public void Refuses_impossible_combinations(string key1, string value1, string key2, string value2, string expected)
    {
        Assert.Contains(expected, Refused(Spec("image", (key1, value1), (key2, value2))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("local", "move", "copy or delete")]
    public void Refuses_unknown_local_modes(string type, string mode, string expected)
    {
        Assert.Contains(expected, Refused(Spec(type, ("mode", mode))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_source_date_epoch_that_is_not_unix_seconds()
    {
        Assert.Contains("Unix time", Refused(Spec("tar", ("source-date-epoch", "2024-01-01"))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("image")]
    [InlineData("registry")]
    [InlineData("cacheonly")]
    public void Refuses_a_destination_where_nothing_is_written(string type)
    {
        var error = Assert.Throws<BuildxException>(() => ExportAttributeRules.Normalize(new ExportSpec(type, "out", new Dictionary<string, string>())));

        Assert.Contains("takes no dest", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("title", "annotation.title")]
    [InlineData("index:org.opencontainers.image.title", "annotation-index.org.opencontainers.image.title")]
    [InlineData("manifest[linux/arm64]:k", "annotation-manifest[linux/arm64].k")]
    [InlineData("com.example:k", "annotation.com.example:k")]
    public void Reads_buildx_annotation_syntax(string annotation, string expected)
    {
        Assert.Contains(expected, Keys(annotation));
    }

    [Fact]
    public void Annotation_levels_may_be_listed()
    {
        Assert.Equal(["annotation-index.k", "annotation-manifest.k"], Keys("index,manifest:k"));
    }

    private static string[] Keys(string annotation) =>
        Buildx.Core.Builds.Options.AnnotationSpec.Create(annotation, "v").Select(a => a.AttributeKey).ToArray();

    private static BuildxException Refused(ExportSpec spec)
    {
        var error = Assert.Throws<BuildxException>(() => ExportAttributeRules.Normalize(spec));
        Assert.Equal(ErrorIds.InvalidOutput, error.ErrorId);
        Assert.Equal(BuildxErrorKind.InvalidArgument, error.Kind);
        return error;
    }

    private static ExportSpec Spec(string type, params (string Key, string Value)[] attributes) =>
        new(type, type is "local" ? "out" : null, attributes.ToDictionary(a => a.Key, a => a.Value));
}
