using System.Text;
using System.Text.Json;
using Buildx.Core.Builds;

namespace Buildx.Core.Tests.Builds;

public sealed class BuildMetadataFileTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Embeds_base64_json_values_and_keeps_the_rest()
    {
        var descriptor = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":42}"""));
        var result = new BuildResult
        {
            Builder = "default",
            Node = "default",
            Ref = "abc",
            ExporterResponse = new Dictionary<string, string>
            {
                ["containerimage.descriptor"] = descriptor,
                ["containerimage.digest"] = "sha256:0123",
                ["buildx.build.ref"] = "default/default/abc",
            },
            Duration = TimeSpan.FromSeconds(1),
            StepCount = 2,
            CachedStepCount = 1,
        };
        var path = Path.Combine(directory.Path, "sub", "meta.json");

        BuildMetadataFile.Write(path, result);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(42, json.RootElement.GetProperty("containerimage.descriptor").GetProperty("size").GetInt32());
        Assert.Equal("sha256:0123", json.RootElement.GetProperty("containerimage.digest").GetString());
        Assert.Equal("default/default/abc", json.RootElement.GetProperty("buildx.build.ref").GetString());
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
