using System.Security.Cryptography;
using System.Text;
using Buildx.Core.BuildKit.Protocol.Content;

using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;
using Buildx.Core.Session.Grpc;
using Buildx.Core.Tests.Session.Support;
using Grpc.Core;

namespace Buildx.Core.Tests.Builds.Options;

public sealed class OciLayoutContextsTests : IDisposable
{
    private readonly TempDirectory directory = new();
    private readonly byte[] manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}");

    public OciLayoutContextsTests()
    {
        var digest = Digest(manifest);
        Directory.CreateDirectory(Path.Combine(directory.Path, "blobs", "sha256"));
        File.WriteAllBytes(Path.Combine(directory.Path, "blobs", "sha256", digest[7..]), manifest);
        directory.Write("index.json",
            $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{digest}\",\"size\":{manifest.Length},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"v1\"}}}}]}}");
    }

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task A_layout_context_is_served_from_a_session_store_and_named_by_store_tag_and_digest()
    {
        var options = new BuildOptions { NamedContexts = [NamedContext.Create("base", $"oci-layout://{directory.Path}:v1")] };

        var services = await BuildOptionsServices.CreateAsync(options, _ => { }, CancellationToken.None);

        var context = Assert.Single(services.Options.NamedContexts);
        var match = System.Text.RegularExpressions.Regex.Match(context.Value, "^oci-layout://([a-z0-9]+):v1@(sha256:[a-f0-9]{64})$");
        Assert.True(match.Success, context.Value);
        Assert.Equal(Digest(manifest), match.Groups[2].Value);
        var solve = new Buildx.Core.BuildKit.Protocol.Control.SolveRequest();
        BuildOptionsPlanner.Apply(solve, services.Options);
        Assert.Equal(context.Value, solve.FrontendAttrs["context:base"]);

        // BuildKit reads the layout through the session's content store, under "oci:" + that store id
        // (source/containerimage/ocilayout.go); the bare id is not a store.
        await using var harness = await GrpcTestHarness.StartAsync(services.Register);
        var client = new Content.ContentClient(harness.Channel);
        var info = await client.InfoAsync(new InfoRequest { Digest = Digest(manifest) }, new Metadata { { "buildkit-attachable-store-id", "oci:" + match.Groups[1].Value } });
        Assert.Equal(manifest.Length, info.Info.Size);
        var bare = await Assert.ThrowsAsync<RpcException>(async () => await client.InfoAsync(new InfoRequest { Digest = Digest(manifest) }, new Metadata { { "buildkit-attachable-store-id", match.Groups[1].Value } }));
        Assert.Equal(StatusCode.NotFound, bare.StatusCode);
    }

    [Fact]
    public void The_tag_defaults_to_latest_and_a_given_digest_needs_no_index()
    {
        var missingLatest = Assert.Throws<BuildxException>(() => OciLayoutContexts.Prepare(new BuildOptions { NamedContexts = [NamedContext.Create("base", $"oci-layout://{directory.Path}")] }));
        var pinned = OciLayoutContexts.Prepare(new BuildOptions { NamedContexts = [NamedContext.Create("base", $"oci-layout://{Path.Combine(directory.Path, "elsewhere")}@sha256:{new string('a', 64)}")] });

        Assert.Equal(ErrorIds.InvalidBuildContext, missingLatest.ErrorId);
        Assert.Contains("no image tagged 'latest'", missingLatest.Message, StringComparison.Ordinal);
        Assert.EndsWith($":latest@sha256:{new string('a', 64)}", Assert.Single(pinned.Options.NamedContexts).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void A_layout_directory_that_does_not_exist_is_refused_before_anything_is_sent()
    {
        var options = new BuildOptions { NamedContexts = [NamedContext.Create("base", "oci-layout:///no/such/layout:v1")] };

        var error = Assert.Throws<BuildxException>(() => BuildOptionsPlanner.Validate(options, "docker-container"));

        Assert.Equal(ErrorIds.BuildContextNotFound, error.ErrorId);
        Assert.Contains("/no/such/layout", error.Message, StringComparison.Ordinal);
    }

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}
