using Buildx.Core.Drivers;
using Buildx.Core.Errors;
using Buildx.Core.Kubernetes;

namespace Buildx.Core.Tests.Kubernetes;

public sealed class KubernetesDriverOptionsTests
{
    [Fact]
    public void Defaults_are_buildx_defaults()
    {
        var options = KubernetesDriverOptions.Parse(new Dictionary<string, string>());

        Assert.Equal("moby/buildkit:buildx-stable-1", options.Image);
        Assert.Equal(1, options.Replicas);
        Assert.Equal("sticky", options.LoadBalance);
        Assert.Equal(TimeSpan.FromSeconds(120), options.Timeout);
        Assert.Equal("tonistiigi/binfmt:latest", options.QemuImage);
        Assert.Null(options.Namespace);
        Assert.False(options.UsesStatefulSet);
    }

    [Fact]
    public void Requests_ephemeral_storage_becomes_a_limit_as_in_buildx_and_the_limit_wins()
    {
        var onlyRequest = KubernetesDriverOptions.Parse(new Dictionary<string, string> { ["requests.ephemeral-storage"] = "2Gi" });
        var both = KubernetesDriverOptions.Parse(new Dictionary<string, string> { ["requests.ephemeral-storage"] = "2Gi", ["limits.ephemeral-storage"] = "5Gi" });

        Assert.Equal("2Gi", onlyRequest.Limits["ephemeral-storage"]);
        Assert.False(onlyRequest.Requests.ContainsKey("ephemeral-storage"));
        Assert.Equal("5Gi", both.Limits["ephemeral-storage"]);
    }

    [Fact]
    public void Rootless_switches_to_the_rootless_image_unless_one_is_given()
    {
        Assert.Equal(KubernetesDriverOptions.DefaultRootlessImage, KubernetesDriverOptions.Parse(new Dictionary<string, string> { ["rootless"] = "true" }).Image);
        Assert.Equal("x/y:z", KubernetesDriverOptions.Parse(new Dictionary<string, string> { ["rootless"] = "true", ["image"] = "x/y:z" }).Image);
    }

    [Theory]
    [InlineData("replicas", "two", "whole number")]
    [InlineData("replicas", "-1", "whole number")]
    [InlineData("requests.cpu", "lots", "Kubernetes quantity")]
    [InlineData("limits.memory", "4 GB", "Kubernetes quantity")]
    [InlineData("rootless", "yes", "true or false")]
    [InlineData("loadbalance", "roundrobin", "sticky or random")]
    [InlineData("timeout", "soon", "Go duration")]
    [InlineData("nodeselector", "kubernetes.io/arch", "invalid key-value pair")]
    [InlineData("labels", "app=mine", "reserved")]
    [InlineData("annotations", "buildx.docker.com/platform=linux/arm64", "reserved")]
    [InlineData("tolerations", "key=a,opertor=Exists", "did you mean 'operator'")]
    [InlineData("tolerations", "key=a,operator=Maybe", "Exists, Equal")]
    [InlineData("tolerations", "key=a,tolerationSeconds=later", "whole number")]
    [InlineData("env.", "x", "env.NAME=value")]
    public void Bad_values_are_InvalidDriverOption_naming_what_is_accepted(string key, string value, string accepted)
    {
        var error = Assert.Throws<BuildxException>(() => KubernetesDriverOptions.Parse(new Dictionary<string, string> { [key] = value }));

        Assert.Equal(ErrorIds.InvalidDriverOption, error.ErrorId);
        Assert.Equal(BuildxErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(accepted, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_suggests_the_closest_option()
    {
        var error = Assert.Throws<BuildxException>(() => KubernetesDriverOptions.Parse(new Dictionary<string, string> { ["replica"] = "2" }));

        Assert.Equal(ErrorIds.UnknownDriverOption, error.ErrorId);
        Assert.Contains("Did you mean 'replicas'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tolerations_parse_buildx_documented_form_with_canonical_operators()
    {
        var options = KubernetesDriverOptions.Parse(new Dictionary<string, string> { ["tolerations"] = "key=foo,value=bar;key=foo2,operator=exists;key=foo3,effect=NoSchedule" });

        Assert.Equal(3, options.Tolerations.Count);
        Assert.Equal(("foo", "bar"), (options.Tolerations[0].Key, options.Tolerations[0].Value));
        Assert.Equal("Exists", options.Tolerations[1].OperatorProperty);
        Assert.Equal("NoSchedule", options.Tolerations[2].Effect);
    }

    [Fact]
    public void Hashtables_become_the_strings_buildx_stores()
    {
        var pairs = DriverOptionInput.Parse(
        [
            new System.Collections.Hashtable
            {
                ["nodeselector"] = new System.Collections.Hashtable { ["kubernetes.io/os"] = "linux", ["kubernetes.io/arch"] = "arm64" },
                ["tolerations"] = new object[]
                {
                    new System.Collections.Hashtable { ["key"] = "dedicated", ["operator"] = "Equal", ["value"] = "builds", ["effect"] = "NoSchedule" },
                    new System.Collections.Hashtable { ["key"] = "spot", ["operator"] = "Exists", ["tolerationSeconds"] = 300 },
                },
                ["requests"] = new System.Collections.Hashtable { ["cpu"] = "500m" },
                ["replicas"] = 4,
            },
        ]).ToDictionary(pair => pair.Key, pair => pair.Value);

        Assert.Equal("kubernetes.io/arch=arm64,kubernetes.io/os=linux", pairs["nodeselector"]);
        Assert.Equal("effect=NoSchedule,key=dedicated,operator=Equal,value=builds;key=spot,operator=Exists,tolerationSeconds=300", pairs["tolerations"]);
        Assert.Equal("500m", pairs["requests.cpu"]);
        Assert.Equal("4", pairs["replicas"]);
        var options = KubernetesDriverOptions.Parse(pairs);
        Assert.Equal("arm64", options.NodeSelector["kubernetes.io/arch"]);
        Assert.Equal(300, options.Tolerations[1].TolerationSeconds);
    }

    [Fact]
    public void A_hashtable_entry_with_a_comma_is_refused_rather_than_stored_ambiguously()
    {
        var error = Assert.Throws<BuildxException>(() => DriverOptionInput.Parse(
            [new System.Collections.Hashtable { ["labels"] = new System.Collections.Hashtable { ["team"] = "a,b" } }]));

        Assert.Equal(ErrorIds.InvalidDriverOption, error.ErrorId);
    }
}
