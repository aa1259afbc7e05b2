using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Builds.Options;

public class BuildOptionParsersTests
{
    [Fact]
    public void A_bare_cache_value_is_a_registry_reference()
    {
        var spec = CacheSpecParser.ParseCsv("127.0.0.1:5000/app:cache", export: false);

        Assert.Equal("registry", spec.Type);
        Assert.Equal("127.0.0.1:5000/app:cache", spec.Attributes["ref"]);
    }

    [Fact]
    public void Cache_keys_are_lowercased_and_values_kept()
    {
        var spec = CacheSpecParser.ParseCsv("Type=Registry,REF=Host/Repo:Tag,Mode=max", export: true);

        Assert.Equal("registry", spec.Type);
        Assert.Equal("Host/Repo:Tag", spec.Attributes["ref"]);
        Assert.Equal("max", spec.Attributes["mode"]);
    }

    [Fact]
    public void Unknown_cache_types_pass_through_as_buildx_does()
    {
        var spec = CacheSpecParser.FromPairs([new("type", "custom"), new("url", "x")], export: true);

        Assert.Equal("custom", spec.Type);
        Assert.Equal("x", spec.Attributes["url"]);
    }

    [Theory]
    [InlineData("type=registry", true, "needs ref=")]
    [InlineData("type=local,src=x", true, "needs dest=")]
    [InlineData("type=local,dest=x", false, "needs src=")]
    [InlineData("type=inline", false, "only a cache export")]
    [InlineData("type=registry,ref=r,mode=all", true, "the modes are min and max")]
    [InlineData("ref=r", true, "needs a type")]
    [InlineData("type=local,dest=x,mode=everything", true, "the modes are min and max")]
    [InlineData("type=local,dest=x,oci-mediatypes=yes", true, "oci-mediatypes='yes' is not a boolean")]
    [InlineData("type=local,dest=x,reset=always", true, "reset='always' is not a boolean")]
    [InlineData("type=registry,ref=r,ignore-error=maybe", true, "ignore-error='maybe' is not a boolean")]
    [InlineData("type=local,dest=x,compression=lz4", true, "compression 'lz4' is not known")]
    [InlineData("type=local,dest=x,compression=zstd,compression-level=high", true, "compression-level 'high' is not an integer")]
    [InlineData("type=registry,ref=r,image-manifest=true,oci-mediatypes=false", true, "image-manifest=true needs OCI media types")]
    public void Refuses_incomplete_cache_entries(string text, bool export, string expected)
    {
        var error = Assert.Throws<BuildxException>(() => CacheSpecParser.ParseCsv(text, export));

        Assert.Equal(ErrorIds.InvalidCacheOption, error.ErrorId);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("default", "default", new string[0])]
    [InlineData("github=/run/agent.sock", "github", new[] { "/run/agent.sock" })]
    [InlineData("keys=/a,/b", "keys", new[] { "/a", "/b" })]
    public void Reads_ssh_values(string text, string id, string[] paths)
    {
        var spec = SshSpecParser.Parse(text);

        Assert.Equal(id, spec.Id);
        Assert.Equal(paths, spec.Paths);
    }

    [Fact]
    public void The_default_agent_comes_from_SSH_AUTH_SOCK()
    {
        var spec = SshSpecParser.WithDefaultAgent(new SshSpec("default", []), name => name == "SSH_AUTH_SOCK" ? "/tmp/agent.1" : null);

        Assert.Equal(["/tmp/agent.1"], spec.Paths);
        if (!OperatingSystem.IsWindows())
        {
            var error = Assert.Throws<BuildxException>(() => SshSpecParser.WithDefaultAgent(new SshSpec("default", []), _ => null));
            Assert.Equal(ErrorIds.SshAgentUnavailable, error.ErrorId);
            Assert.Contains("SSH_AUTH_SOCK", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_ssh_map_carries_key_paths_and_a_passphrase_that_is_never_printed()
    {
        var revealed = "pass phrase"u8.ToArray();
        string[] paths = ["/k/a", "/k/b"];
        var spec = SshSpecParser.FromPairs([new("id", "deploy"), new("paths", paths), new("passphrase", revealed)]);
        Array.Clear(revealed);

        // The spec keeps its own copy: the caller clears what it revealed.
        Assert.Equal("deploy", spec.Id);
        Assert.Equal(paths, spec.Paths);
        Assert.Equal("pass phrase"u8.ToArray(), spec.Passphrase);
        Assert.Equal("deploy=/k/a,/k/b", spec.ToString());
        Assert.Equal("text"u8.ToArray(), SshSpecParser.FromPairs([new("paths", "/k"), new("passphrase", "text")]).Passphrase);
        Assert.Equal(ErrorIds.InvalidSsh, Assert.Throws<BuildxException>(() => SshSpecParser.FromPairs([new("paths", "/k"), new("passphrase", 42)])).ErrorId);
    }

    [Fact]
    public void Refuses_bad_ssh_entries()
    {
        Assert.Equal(ErrorIds.InvalidSsh, Assert.Throws<BuildxException>(() => SshSpecParser.Parse("=/sock")).ErrorId);
        Assert.Equal(ErrorIds.InvalidSsh, Assert.Throws<BuildxException>(() => SshSpecParser.FromPairs([new("name", "x")])).ErrorId);
        Assert.Equal(ErrorIds.InvalidSsh, Assert.Throws<BuildxException>(() => SshSpecParser.ValidateUnique([new SshSpec("a", []), new SshSpec("a", [])])).ErrorId);
    }

    [Theory]
    [InlineData("nofile=1024:2048", "nofile=1024:2048")]
    [InlineData("nproc=512", "nproc=512:512")]
    [InlineData("core=-1", "core=-1:-1")]
    public void Reads_ulimits_in_docker_form(string text, string expected) => Assert.Equal(expected, UlimitSpec.Parse(text).ToString());

    [Theory]
    [InlineData("files=10", "is not a limit")]
    [InlineData("nofile=a:b", "whole numbers")]
    [InlineData("nofile=10:5", "above the hard limit")]
    [InlineData("nofile", "not name=soft[:hard]")]
    public void Refuses_bad_ulimits(string text, string expected)
    {
        var error = Assert.Throws<BuildxException>(() => UlimitSpec.Parse(text));

        Assert.Equal(ErrorIds.InvalidUlimit, error.ErrorId);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("db:10.0.0.5", "db=10.0.0.5")]
    [InlineData("db=10.0.0.5", "db=10.0.0.5")]
    [InlineData("v6:::1", "v6=::1")]
    [InlineData("v6=[fe80::1]", "v6=fe80::1")]
    [InlineData("host.docker.internal:host-gateway", "host.docker.internal=host-gateway")]
    public void Reads_extra_hosts(string text, string expected) => Assert.Equal(expected, HostEntry.Parse(text).ToString());

    [Theory]
    [InlineData("db:not-an-ip", BuildxErrorKind.InvalidArgument)]
    [InlineData("10.0.0.5", BuildxErrorKind.InvalidArgument)]
    public void Refuses_bad_extra_hosts(string text, BuildxErrorKind kind)
    {
        var error = Assert.Throws<BuildxException>(() => HostEntry.Parse(text));

        Assert.Equal(ErrorIds.InvalidAddHost, error.ErrorId);
        Assert.Equal(kind, error.Kind);
    }

    [Theory]
    [InlineData("assets=./assets", "assets", NamedContextKind.Directory, "local:assets")]
    [InlineData("context=./c", "context", NamedContextKind.Directory, "local:_context")]
    [InlineData("docker.io/library/alpine:latest=docker-image://busybox", "alpine", NamedContextKind.Image, "docker-image://busybox")]
    [InlineData("base=target:builder", "base", NamedContextKind.Remote, "target:builder")]
    [InlineData("src=https://github.com/moby/buildkit.git", "src", NamedContextKind.Remote, "https://github.com/moby/buildkit.git")]
    [InlineData("layout=oci-layout://./layout", "layout", NamedContextKind.OciLayout, "oci-layout://./layout")]
    public void Classifies_named_contexts(string text, string name, NamedContextKind kind, string attribute)
    {
        var context = NamedContext.Parse(text);

        Assert.Equal(name, context.Name);
        Assert.Equal(kind, context.Kind);
        Assert.Equal(attribute, context.AttributeValue);
    }

    [Theory]
    [InlineData("Assets=./a")]
    [InlineData("noequals")]
    [InlineData("img=docker-image://")]
    [InlineData("x=")]
    public void Refuses_bad_named_contexts(string text) =>
        Assert.Equal(ErrorIds.InvalidBuildContext, Assert.Throws<BuildxException>(() => NamedContext.Parse(text)).ErrorId);

    [Fact]
    public void Provenance_and_sbom_shorthands_become_attest_attributes()
    {
        var attributes = AttestationSpecParser.ToAttributes(
        [
            AttestationSpecParser.Canonicalize("provenance", "mode=max"),
            AttestationSpecParser.Canonicalize("sbom", "false"),
            "type=custom,foo=bar",
        ]);

        Assert.Equal("type=provenance,mode=max", attributes["attest:provenance"]);
        Assert.False(attributes.ContainsKey("attest:sbom"));
        Assert.Equal("type=custom,foo=bar", attributes["attest:custom"]);
    }

    [Theory]
    [InlineData("mode=max", "type=sbom,generator=x")]
    [InlineData("type=provenance,mode=all", null)]
    [InlineData("disabled=maybe,type=sbom", null)]
    [InlineData("mode=min", null)]
    public void Refuses_bad_attestations(string first, string? second)
    {
        string[] values = second is null ? [first] : [first, second];

        Assert.Equal(ErrorIds.InvalidAttestation, Assert.Throws<BuildxException>(() => AttestationSpecParser.ToAttributes(values)).ErrorId);
    }

    [Fact]
    public void Duplicate_attestation_types_are_refused()
    {
        var error = Assert.Throws<BuildxException>(() => AttestationSpecParser.ToAttributes(["type=sbom", AttestationSpecParser.Canonicalize("sbom", "true")]));

        Assert.Contains("given twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("org.opencontainers.image.title=app", "annotation.org.opencontainers.image.title")]
    [InlineData("index:k=v", "annotation-index.k")]
    [InlineData("manifest[linux/amd64]:k=v", "annotation-manifest[linux/amd64].k")]
    [InlineData("manifest-descriptor[linux/arm64/v8]:k=v", "annotation-manifest-descriptor[linux/arm64].k")]
    public void Annotation_keys_become_exporter_attributes(string text, string key)
    {
        var annotation = Assert.Single(AnnotationSpec.Parse(text));

        Assert.Equal(key, annotation.AttributeKey);
    }

    [Fact]
    public void Several_annotation_types_make_one_attribute_each()
    {
        var annotations = AnnotationSpec.Parse("index,manifest:k=v");

        Assert.Equal(["annotation-index.k", "annotation-manifest.k"], annotations.Select(a => a.AttributeKey));
    }

    [Theory]
    [InlineData("nokey")]
    [InlineData("layer:k=v")]
    [InlineData("manifest[not a platform]:k=v")]
    [InlineData(" =v")]
    public void Refuses_bad_annotations(string text) =>
        Assert.Equal(ErrorIds.InvalidAnnotation, Assert.Throws<BuildxException>(() => AnnotationSpec.Parse(text)).ErrorId);
}
