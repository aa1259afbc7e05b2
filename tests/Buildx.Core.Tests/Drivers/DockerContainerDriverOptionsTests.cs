using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Drivers;

/// <summary>Parsing the docker-container driver's options from stored DriverOpts, key by key.</summary>
public class DockerContainerDriverOptionsTests
{
    [Fact]
    public void Defaults_match_buildx()
    {
        var options = DockerContainerDriverOptions.Parse(new Dictionary<string, string>());

        Assert.Equal("moby/buildkit:buildx-stable-1", options.Image);
        Assert.Equal(new ContainerRestartPolicy("unless-stopped"), options.RestartPolicy);
        Assert.True(options.Privileged);
        Assert.True(options.ProvenanceAddGha);
        Assert.False(options.AllowUntrustedImage);
        Assert.False(options.DefaultLoad);
        Assert.Null(options.Network);
        Assert.Null(options.CgroupParent);
        Assert.Null(options.CpusetCpus);
        Assert.Null(options.CpusetMems);
        Assert.Equal(0, options.Memory);
        Assert.Equal(0, options.MemorySwap);
        Assert.Equal(0, options.CpuQuota);
        Assert.Equal(0, options.CpuPeriod);
        Assert.Equal(0, options.CpuShares);
        Assert.Empty(options.Environment);
        Assert.Empty(options.ExtraBinds);
    }

    [Theory]
    [InlineData("image", "registry.example/buildkit:v0.20", nameof(DockerContainerDriverOptions.Image), "registry.example/buildkit:v0.20")]
    [InlineData("image", "", nameof(DockerContainerDriverOptions.Image), DockerContainerDriverOptions.DefaultImage)]
    [InlineData("network", "host", nameof(DockerContainerDriverOptions.Network), "host")]
    [InlineData("network", "", nameof(DockerContainerDriverOptions.Network), null)]
    [InlineData("cpuset-cpus", "0-1", nameof(DockerContainerDriverOptions.CpusetCpus), "0-1")]
    [InlineData("cpuset-mems", "0", nameof(DockerContainerDriverOptions.CpusetMems), "0")]
    [InlineData("cgroup-parent", "/custom/buildx", nameof(DockerContainerDriverOptions.CgroupParent), "/custom/buildx")]
    public void String_options_are_taken_as_given(string key, string value, string property, string? expected)
    {
        var options = Parse(key, value);

        Assert.Equal(expected, typeof(DockerContainerDriverOptions).GetProperty(property)!.GetValue(options));
    }

    [Theory]
    [InlineData("1g", 1073741824L)]
    [InlineData("512m", 536870912L)]
    [InlineData("512M", 536870912L)]
    [InlineData("1.5g", 1610612736L)]
    [InlineData("100", 100L)]
    [InlineData("100b", 100L)]
    [InlineData("2k", 2048L)]
    [InlineData("2kb", 2048L)]
    [InlineData("2KiB", 2048L)]
    [InlineData("3 m", 3145728L)]
    [InlineData("1t", 1099511627776L)]
    public void Memory_takes_docker_sizes(string value, long expected)
    {
        Assert.Equal(expected, Parse("memory", value).Memory);
        Assert.Equal(expected, Parse("memory-swap", value).MemorySwap);
    }

    [Fact]
    public void Memory_swap_takes_minus_one_for_unlimited()
    {
        Assert.Equal(-1, Parse("memory-swap", "-1").MemorySwap);
    }

    [Theory]
    [InlineData("cpu-quota", "50000", 50000L)]
    [InlineData("cpu-quota", "-1", -1L)]
    [InlineData("cpu-period", "100000", 100000L)]
    [InlineData("cpu-period", "+20", 20L)]
    [InlineData("cpu-shares", "512", 512L)]
    [InlineData("cpu-shares", "9223372036854775807", long.MaxValue)]
    public void Cpu_options_take_64_bit_integers(string key, string value, long expected)
    {
        var options = Parse(key, value);

        var actual = key switch
        {
            "cpu-quota" => options.CpuQuota,
            "cpu-period" => options.CpuPeriod,
            _ => options.CpuShares,
        };
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("no", "no", 0)]
    [InlineData("always", "always", 0)]
    [InlineData("unless-stopped", "unless-stopped", 0)]
    [InlineData("on-failure", "on-failure", 0)]
    [InlineData("on-failure:3", "on-failure", 3)]
    [InlineData("on-failure:", "on-failure", 0)]
    [InlineData("", "no", 0)]
    public void Restart_policy_takes_docker_policies(string value, string name, int retries)
    {
        Assert.Equal(new ContainerRestartPolicy(name, retries), Parse("restart-policy", value).RestartPolicy);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("T", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("f", false)]
    [InlineData("F", false)]
    [InlineData("FALSE", false)]
    [InlineData("False", false)]
    public void Boolean_options_take_go_booleans(string value, bool expected)
    {
        Assert.Equal(expected, Parse("default-load", value).DefaultLoad);
        Assert.Equal(expected, Parse("provenance-add-gha", value).ProvenanceAddGha);
        Assert.Equal(expected, Parse("allow-untrusted-image", value).AllowUntrustedImage);
        Assert.Equal(expected, Parse("privileged", value).Privileged);
    }

    [Fact]
    public void Env_options_become_sorted_container_environment()
    {
        var options = DockerContainerDriverOptions.Parse(new Dictionary<string, string>
        {
            ["env.ZED"] = "last",
            ["env.BUILDKIT_STEP_LOG_MAX_SIZE"] = "-1",
            ["env.EMPTY"] = string.Empty,
            ["env.WITH_EQUALS"] = "a=b",
        });

        Assert.Equal(["BUILDKIT_STEP_LOG_MAX_SIZE=-1", "EMPTY=", "WITH_EQUALS=a=b", "ZED=last"], options.Environment);
    }

    [Fact]
    public void All_options_together()
    {
        var options = DockerContainerDriverOptions.Parse(new Dictionary<string, string>
        {
            ["image"] = "my/buildkit:1",
            ["memory"] = "1g",
            ["memory-swap"] = "2g",
            ["restart-policy"] = "always",
            ["env.A"] = "1",
            ["privileged"] = "false",
        });

        Assert.Equal("my/buildkit:1", options.Image);
        Assert.Equal(1L << 30, options.Memory);
        Assert.Equal(2L << 30, options.MemorySwap);
        Assert.Equal("always", options.RestartPolicy.Name);
        Assert.Equal(["A=1"], options.Environment);
        Assert.False(options.Privileged);
    }

    [Theory]
    [InlineData("memory", "1x", "invalid unit 'x'")]
    [InlineData("memory", "1gbb", "invalid unit 'gbb'")]
    [InlineData("memory", "-1", "cannot be negative")]
    [InlineData("memory", "abc", "at least one digit")]
    [InlineData("memory", "", "at least one digit")]
    [InlineData("memory", "1..2g", "not a number")]
    [InlineData("memory-swap", "-2", "cannot be negative")]
    [InlineData("memory-swap", "lots", "at least one digit")]
    [InlineData("cpu-quota", "1.5", "whole number")]
    [InlineData("cpu-quota", "10k", "whole number")]
    [InlineData("cpu-period", "", "whole number")]
    [InlineData("cpu-shares", "99999999999999999999", "64-bit")]
    [InlineData("cpu-shares", " 5", "whole number")]
    [InlineData("restart-policy", "sometimes", "unknown policy 'sometimes'")]
    [InlineData("restart-policy", "always:3", "only goes with on-failure")]
    [InlineData("restart-policy", "on-failure:x", "must be an integer")]
    [InlineData("restart-policy", "on-failure:-1", "cannot be negative")]
    [InlineData("restart-policy", ":3", "no policy name")]
    [InlineData("default-load", "yes", "not a boolean")]
    [InlineData("provenance-add-gha", "on", "not a boolean")]
    [InlineData("allow-untrusted-image", "tRUE", "not a boolean")]
    [InlineData("privileged", "enabled", "not a boolean")]
    [InlineData("env.", "x", "variable name")]
    public void Invalid_values_name_the_key_the_value_and_what_is_accepted(string key, string value, string reason)
    {
        var error = Assert.Throws<BuildxException>(() => Parse(key, value));

        Assert.Equal(ErrorIds.InvalidDriverOption, error.ErrorId);
        Assert.Equal(BuildxErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(key, error.Target);
        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("Expected ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("memroy", "memory")]
    [InlineData("Memory", "memory")]
    [InlineData("img", "image")]
    [InlineData("restart_policy", "restart-policy")]
    [InlineData("cpu-quote", "cpu-quota")]
    [InlineData("cpuset-cpu", "cpuset-cpus")]
    [InlineData("defaultload", "default-load")]
    [InlineData("privilege", "privileged")]
    [InlineData("ENV.FOO", "env.FOO")]
    [InlineData("environment.FOO", "env.FOO")]
    [InlineData("evn.FOO", "env.FOO")]
    [InlineData("env", "env.<NAME>")]
    public void Unknown_keys_suggest_the_closest_key(string key, string suggestion)
    {
        var error = Assert.Throws<BuildxException>(() => Parse(key, "1"));

        Assert.Equal(ErrorIds.UnknownDriverOption, error.ErrorId);
        Assert.Equal(key, error.Target);
        Assert.Contains($"'{key}' is not an option of the docker-container driver", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Did you mean '{suggestion}'?", error.Message, StringComparison.Ordinal);
        Assert.Contains("Accepted options: image, network, memory, memory-swap,", error.Message, StringComparison.Ordinal);
        Assert.Contains("env.<NAME>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_keys_without_a_close_match_only_list_the_accepted_keys()
    {
        var error = Assert.Throws<BuildxException>(() => Parse("kubeconfig", "x"));

        Assert.Equal(ErrorIds.UnknownDriverOption, error.ErrorId);
        Assert.DoesNotContain("Did you mean", error.Message, StringComparison.Ordinal);
        Assert.Contains("Accepted options:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_several_bad_options_the_same_one_is_reported_every_time()
    {
        var stored = new Dictionary<string, string> { ["zzz"] = "1", ["memory"] = "bad", ["cpu-quota"] = "bad" };

        var error = Assert.Throws<BuildxException>(() => DockerContainerDriverOptions.Parse(stored));

        Assert.Equal("cpu-quota", error.Target);
    }

    private static DockerContainerDriverOptions Parse(string key, string value)
        => DockerContainerDriverOptions.Parse(new Dictionary<string, string> { [key] = value });
}
