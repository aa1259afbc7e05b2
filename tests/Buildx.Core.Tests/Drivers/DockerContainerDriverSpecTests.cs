using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Transport;

namespace Buildx.Core.Tests.Drivers;

/// <summary>The create request the docker-container driver builds, for engines the test machine is not.</summary>
public class DockerContainerDriverSpecTests
{
    private static readonly EngineInfo Cgroupfs = new() { CgroupDriver = "cgroupfs", SecurityOptions = ["name=seccomp,profile=default"] };
    private static readonly EngineInfo Systemd = new() { CgroupDriver = "systemd", SecurityOptions = ["name=seccomp,profile=default", "name=userns"] };

    [Fact]
    public void Defaults_are_privileged_with_init_state_volume_and_restart_policy()
    {
        using var driver = Driver(new Dictionary<string, string>(), ["--allow-insecure-entitlement=network.host"]);

        var spec = driver.BuildSpec("moby/buildkit:buildx-stable-1", Cgroupfs);

        Assert.Equal("buildx_buildkit_node0", driver.ContainerName);
        Assert.Equal("buildx_buildkit_node0_state", driver.StateVolumeName);
        Assert.Equal("moby/buildkit:buildx-stable-1", spec.Image);
        Assert.Equal(["--allow-insecure-entitlement=network.host"], spec.Cmd);
        Assert.Null(spec.Env);
        var host = spec.HostConfig;
        Assert.True(host.Privileged);
        Assert.True(host.Init);
        Assert.Equal(new ContainerRestartPolicy("unless-stopped"), host.RestartPolicy);
        Assert.Equal([ContainerMount.Volume("buildx_buildkit_node0_state", "/var/lib/buildkit")], host.Mounts);
        Assert.Null(host.Binds);
        Assert.Null(host.CapAdd);
        Assert.Null(host.SecurityOpt);
        Assert.Null(host.NetworkMode);
        Assert.Null(host.UsernsMode);
    }

    [Fact]
    public void Cgroup_parent_applies_only_under_cgroupfs_and_defaults_to_docker_buildx()
    {
        using var plain = Driver(new Dictionary<string, string>());
        using var custom = Driver(new Dictionary<string, string> { ["cgroup-parent"] = "/mine" });

        Assert.Equal("/docker/buildx", plain.BuildSpec("i", Cgroupfs).HostConfig.CgroupParent);
        Assert.Equal("/mine", custom.BuildSpec("i", Cgroupfs).HostConfig.CgroupParent);
        Assert.Null(custom.BuildSpec("i", Systemd).HostConfig.CgroupParent);
    }

    [Fact]
    public void A_userns_remapping_engine_gets_host_userns_mode()
    {
        using var driver = Driver(new Dictionary<string, string>());

        Assert.Equal("host", driver.BuildSpec("i", Systemd).HostConfig.UsernsMode);
        Assert.Null(driver.BuildSpec("i", Cgroupfs).HostConfig.UsernsMode);
    }

    [Fact]
    public void Unprivileged_adds_every_capability_but_sys_resource_and_unconfines()
    {
        using var driver = Driver(new Dictionary<string, string> { ["privileged"] = "false" });

        var host = driver.BuildSpec("i", Cgroupfs).HostConfig;

        Assert.False(host.Privileged);
        Assert.Equal(["ALL"], host.CapAdd);
        Assert.Equal(["SYS_RESOURCE"], host.CapDrop);
        Assert.Equal(["seccomp=unconfined", "apparmor=unconfined"], host.SecurityOpt);
        Assert.Equal(["/sys/fs/cgroup:/sys/fs/cgroup:rw"], host.Binds);
    }

    [Fact]
    public void Resources_network_and_env_pass_through()
    {
        using var driver = Driver(new Dictionary<string, string>
        {
            ["network"] = "host",
            ["memory"] = "512m",
            ["memory-swap"] = "-1",
            ["cpu-quota"] = "50000",
            ["cpu-period"] = "100000",
            ["cpu-shares"] = "512",
            ["cpuset-cpus"] = "0",
            ["cpuset-mems"] = "0",
            ["env.FOO"] = "bar",
        });

        var spec = driver.BuildSpec("i", Cgroupfs);

        Assert.Equal(["FOO=bar"], spec.Env);
        Assert.Equal("host", spec.HostConfig.NetworkMode);
        Assert.Equal(512L << 20, spec.HostConfig.Memory);
        Assert.Equal(-1, spec.HostConfig.MemorySwap);
        Assert.Equal(50000, spec.HostConfig.CpuQuota);
        Assert.Equal(100000, spec.HostConfig.CpuPeriod);
        Assert.Equal(512, spec.HostConfig.CpuShares);
        Assert.Equal("0", spec.HostConfig.CpusetCpus);
        Assert.Equal("0", spec.HostConfig.CpusetMems);
    }

    [Fact]
    public void A_buildkitd_toml_puts_config_before_the_users_flags()
    {
        using var driver = new DockerContainerDriver(
            Engine(), "node0", DockerContainerDriverOptions.Parse(new Dictionary<string, string>()), ["--debug"],
            new Dictionary<string, byte[]> { ["buildkitd.toml"] = [] });

        Assert.Equal(["--config", "/etc/buildkit/buildkitd.toml", "--debug"], driver.BuildSpec("i", Cgroupfs).Cmd);
    }

    private static DockerContainerDriver Driver(Dictionary<string, string> options, IReadOnlyList<string>? flags = null)
        => new(Engine(), "node0", DockerContainerDriverOptions.Parse(options), flags);

    // Never dialed: BuildSpec needs no engine.
    private static DockerEngineClient Engine() => new(new DockerContext("test", Endpoint.Parse("unix:///nonexistent.sock"), "test"));
}
