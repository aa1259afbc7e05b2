using Buildx.Core.Docker;
using Buildx.Core.Errors;
using Buildx.Core.Transport;

namespace Buildx.Core.Tests.Docker;

public sealed class DockerContextResolverTests : IDisposable
{
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public void Without_settings_uses_the_platform_default_socket()
    {
        var context = Resolver().ResolveCurrent();

        Assert.Equal("default", context.Name);
        Assert.Equal(Endpoint.Parse(DockerContextResolver.PlatformDefaultHost), context.Host);
        Assert.Equal("the platform default", context.Source);
        Assert.Equal(DockerContextResolver.PlatformDefaultHost, context.StoreKey);
    }

    [Fact]
    public void DOCKER_HOST_wins_over_the_current_context()
    {
        WriteContext("remote", "tcp://10.1.2.3:2375");
        home.Write(".docker/config.json", """{"currentContext":"remote"}""");

        var context = Resolver(("DOCKER_HOST", "unix:///tmp/other.sock")).ResolveCurrent();

        Assert.Equal("default", context.Name);
        Assert.Equal("/tmp/other.sock", context.Host.Address);
        Assert.Contains("DOCKER_HOST", context.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_current_context_from_the_meta_store()
    {
        WriteContext("remote", "tcp://10.1.2.3:2375");
        home.Write(".docker/config.json", """{"auths":{},"currentContext":"remote"}""");

        var context = Resolver().ResolveCurrent();

        Assert.Equal("remote", context.Name);
        Assert.Equal(EndpointKind.Tcp, context.Host.Kind);
        Assert.Equal("10.1.2.3:2375", context.Host.Address);
        Assert.Equal("remote", context.StoreKey);
    }

    [Fact]
    public void DOCKER_CONTEXT_wins_over_DOCKER_HOST_and_config()
    {
        WriteContext("ci", "unix:///var/ci/docker.sock");
        home.Write(".docker/config.json", """{"currentContext":"default"}""");

        var context = Resolver(("DOCKER_CONTEXT", "ci"), ("DOCKER_HOST", "tcp://1.2.3.4:2375")).ResolveCurrent();

        Assert.Equal("ci", context.Name);
        Assert.Equal("/var/ci/docker.sock", context.Host.Address);
    }

    [Fact]
    public void DOCKER_CONFIG_moves_the_config_directory()
    {
        var elsewhere = System.IO.Path.Combine(home.Path, "elsewhere");
        home.Write("elsewhere/config.json", """{"currentContext":"moved"}""");
        home.Write($"elsewhere/contexts/meta/{DockerContextResolver.ContextDirectoryName("moved")}/meta.json",
            """{"Name":"moved","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///moved.sock","SkipTLSVerify":false}}}""");

        var context = Resolver(("DOCKER_CONFIG", elsewhere)).ResolveCurrent();

        Assert.Equal("moved", context.Name);
        Assert.Equal("/moved.sock", context.Host.Address);
    }

    [Fact]
    public void A_missing_context_names_itself_and_where_it_came_from()
    {
        home.Write(".docker/config.json", """{"currentContext":"gone"}""");

        var error = Assert.Throws<BuildxException>(() => Resolver().ResolveCurrent());

        Assert.Equal(ErrorIds.DockerContextNotFound, error.ErrorId);
        Assert.Equal(BuildxErrorKind.ObjectNotFound, error.Kind);
        Assert.Contains("'gone'", error.Message, StringComparison.Ordinal);
        Assert.Contains("config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_config_file_is_reported_with_its_path()
    {
        home.Write(".docker/config.json", "{ not json");

        var error = Assert.Throws<BuildxException>(() => Resolver().ResolveCurrent());

        Assert.Equal(ErrorIds.DockerConfigInvalid, error.ErrorId);
        Assert.Contains("config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_default_and_every_stored_context()
    {
        WriteContext("one", "unix:///one.sock");
        WriteContext("two", "tcp://two:2375");

        var names = Resolver().ListContextNames();

        Assert.Equal(["default", "one", "two"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Context_folders_are_named_by_the_sha256_of_the_name()
    {
        // The Docker CLI's meta store layout: the digest of "default" is well known.
        Assert.Equal("37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f", DockerContextResolver.ContextDirectoryName("default"));
    }

    private void WriteContext(string name, string host) => home.Write(
        $".docker/contexts/meta/{DockerContextResolver.ContextDirectoryName(name)}/meta.json",
        """{"Name":"NAME","Metadata":{"Description":""},"Endpoints":{"docker":{"Host":"HOST","SkipTLSVerify":false}}}"""
            .Replace("NAME", name, StringComparison.Ordinal).Replace("HOST", host, StringComparison.Ordinal));

    private DockerContextResolver Resolver(params (string Name, string Value)[] variables) =>
        new(new FixedEnvironment(variables.ToDictionary(v => v.Name, v => v.Value), home.Path));
}
