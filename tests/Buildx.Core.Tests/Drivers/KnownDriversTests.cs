using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Drivers;

/// <summary>What each driver declares, and how its options are normalized and checked.</summary>
public class KnownDriversTests
{
    [Fact]
    public void Lists_buildxs_drivers_and_which_can_be_created()
    {
        Assert.Equal(["docker", "docker-container", "kubernetes", "remote"], KnownDrivers.All.Select(d => d.Name));
        Assert.False(KnownDrivers.Docker.AllowsInstances);
        Assert.True(KnownDrivers.DockerContainer.IsImplemented);
        Assert.True(KnownDrivers.Kubernetes.IsImplemented);
        Assert.True(KnownDrivers.Remote.IsImplemented);
        Assert.Same(KnownDrivers.DockerContainer, KnownDrivers.Get("Docker-Container"));
    }

    [Fact]
    public void An_unknown_driver_suggests_the_closest()
    {
        var error = Assert.Throws<BuildxException>(() => KnownDrivers.Get("dockercontainer"));

        Assert.Equal(ErrorIds.UnknownDriver, error.ErrorId);
        Assert.Contains("Did you mean 'docker-container'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Declares_every_docker_container_option_with_its_default()
    {
        var declared = KnownDrivers.DockerContainer.Options.ToDictionary(o => o.Key);

        Assert.Equal(DockerContainerDriverOptions.AcceptedKeys, KnownDrivers.DockerContainer.Options.Select(o => o.DisplayKey));
        Assert.Equal("moby/buildkit:buildx-stable-1", declared["image"].DefaultValue);
        Assert.Equal("unless-stopped", declared["restart-policy"].DefaultValue);
        Assert.Equal("true", declared["privileged"].DefaultValue);
        Assert.True(declared["env."].IsPrefix);
    }

    [Fact]
    public void Normalizes_key_case_keeps_env_names_and_lets_later_values_win()
    {
        var options = KnownDrivers.DockerContainer.Normalize(
            [new("Image", "a"), new("ENV.Foo", "1"), new("image", "b"), new("Default-Load", "true")]);

        Assert.Equal(["default-load", "env.Foo", "image"], options.Keys);
        Assert.Equal("b", options["image"]);
    }

    [Theory]
    [InlineData("memroy", "1g", ErrorIds.UnknownDriverOption, "Did you mean 'memory'?")]
    [InlineData("environment.FOO", "x", ErrorIds.UnknownDriverOption, "Did you mean 'env.FOO'?")]
    [InlineData("memory", "lots", ErrorIds.InvalidDriverOption, "'memory' has an invalid value 'lots'")]
    [InlineData("restart-policy", "sometimes", ErrorIds.InvalidDriverOption, "'restart-policy'")]
    public void Names_the_bad_option(string key, string value, string errorId, string message)
    {
        var error = Assert.Throws<BuildxException>(() => KnownDrivers.DockerContainer.Normalize([new(key, value)]));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_known_driver_is_implemented_and_checks_its_options()
    {
        Assert.All(KnownDrivers.All, driver => Assert.True(driver.IsImplemented, driver.Name));
        var error = Assert.Throws<BuildxException>(() => KnownDrivers.Remote.Normalize([new("cacert", "ca.pem")]));
        Assert.Equal(ErrorIds.InvalidDriverOption, error.ErrorId);
    }

    [Fact]
    public void The_factory_adds_test_binds_only_from_the_test_variable()
    {
        var environment = new FixedEnvironment(new Dictionary<string, string> { [DriverFactory.TestContainerBindsVariable] = "/a:/b; /c:/d:ro" }, Path.GetTempPath());
        var factory = new DriverFactory(new DockerContextResolver(environment), environment);
        var node = new NodeDefinition { Name = "n0", Endpoint = "unix:///tmp/engine.sock" };

        using var driver = Assert.IsType<DockerContainerDriver>(factory.Create(new BuilderDefinition { Name = "b", Driver = "docker-container", Nodes = [node] }, node));

        Assert.Equal(["/a:/b", "/c:/d:ro"], driver.Options.ExtraBinds);
    }
}
