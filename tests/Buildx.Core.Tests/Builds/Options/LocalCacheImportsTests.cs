using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Builds.Options;

public sealed class LocalCacheImportsTests : IDisposable
{
    private const string Latest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string Nightly = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    private readonly TempDirectory directory = new();

    public LocalCacheImportsTests() => directory.Write("cache/index.json", $$$"""
        {"schemaVersion":2,"manifests":[
          {"digest":"{{{Latest}}}","size":1,"annotations":{"org.opencontainers.image.ref.name":"latest"}},
          {"digest":"{{{Nightly}}}","size":1,"annotations":{"org.opencontainers.image.ref.name":"nightly"}}]}
        """);

    public void Dispose() => directory.Dispose();

    [Theory]
    [InlineData("", Latest)]
    [InlineData(",tag=nightly", Nightly)]
    [InlineData(",digest=sha256:3333333333333333333333333333333333333333333333333333333333333333", "sha256:3333333333333333333333333333333333333333333333333333333333333333")]
    public void Resolves_the_manifest_digest_and_names_the_store(string extra, string digest)
    {
        var cache = Path.Combine(directory.Path, "cache");
        var options = new BuildOptions { CacheFrom = [CacheSpecParser.ParseCsv($"type=local,src={cache}{extra}", export: false), CacheSpecParser.ParseCsv("r/app:c", export: false)] };

        var (prepared, stores) = LocalCacheImports.Prepare(options, _ => Assert.Fail("no warning expected"));

        Assert.Equal(digest, prepared.CacheFrom[0].Attributes["digest"]);
        Assert.Equal(cache, stores["local:" + cache]);
        Assert.Equal("registry", prepared.CacheFrom[1].Type);
    }

    [Fact]
    public void A_directory_without_index_is_dropped_with_a_warning()
    {
        var warnings = new List<string>();
        var options = new BuildOptions { CacheFrom = [CacheSpecParser.ParseCsv($"type=local,src={Path.Combine(directory.Path, "none")}", export: false)] };

        var (prepared, stores) = LocalCacheImports.Prepare(options, warnings.Add);

        Assert.Empty(prepared.CacheFrom);
        Assert.Empty(stores);
        Assert.Contains("has no index.json", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_tag_is_an_error_that_says_what_to_give()
    {
        var options = new BuildOptions { CacheFrom = [CacheSpecParser.ParseCsv($"type=local,src={Path.Combine(directory.Path, "cache")},tag=weekly", export: false)] };

        var error = Assert.Throws<BuildxException>(() => LocalCacheImports.Prepare(options, _ => { }));

        Assert.Equal(ErrorIds.InvalidCacheOption, error.ErrorId);
        Assert.Contains("'weekly'", error.Message, StringComparison.Ordinal);
    }
}
