using Buildx.Core.Configuration;
using Buildx.Core.Docker;
using Buildx.Core.Session;

namespace Buildx.Core.Tests.Configuration;

public sealed class LocalNodeIdTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Creates_sixteen_hex_characters_once_and_keeps_them()
    {
        var buildx = Path.Combine(directory.Path, "buildx");

        var first = LocalNodeId.GetOrCreate(buildx);
        var second = LocalNodeId.GetOrCreate(buildx);

        Assert.Matches("^[0-9a-f]{16}$", first);
        Assert.Equal(first, second);
        Assert.Equal(first, File.ReadAllText(Path.Combine(buildx, ".buildNodeID")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(buildx, ".buildNodeID")));
        }
    }

    [Fact]
    public void Reads_the_id_buildx_wrote()
    {
        directory.Write("buildx/.buildNodeID", "0123456789abcdef");

        Assert.Equal("0123456789abcdef", LocalNodeId.GetOrCreate(Path.Combine(directory.Path, "buildx")));
    }

    [Fact]
    public void The_buildx_directory_follows_BUILDX_CONFIG_then_DOCKER_CONFIG()
    {
        Assert.Equal("/x/bx", BuildxConfigDirectory.Resolve(new FixedEnvironment(new Dictionary<string, string> { ["BUILDX_CONFIG"] = "/x/bx", ["DOCKER_CONFIG"] = "/y" }, "/home/u")));
        Assert.Equal("/y/buildx", BuildxConfigDirectory.Resolve(new FixedEnvironment(new Dictionary<string, string> { ["DOCKER_CONFIG"] = "/y" }, "/home/u")));
        Assert.Equal("/home/u/.docker/buildx", BuildxConfigDirectory.Resolve(new FixedEnvironment(new Dictionary<string, string>(), "/home/u")));
    }

    [Fact]
    public void Session_ids_are_25_base36_characters_and_unique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => SessionIdentity.NewId()).ToList();

        Assert.All(ids, id => Assert.Matches("^[0-9a-z]{25}$", id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }
}
