using System.Text.Json.Nodes;
using Buildx.Core.Builders;
using Buildx.Core.Builds;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Drivers.Remote;
using Buildx.Core.Errors;
using Buildx.Core.Exports;
using Buildx.Core.Kubernetes;
using Buildx.Core.Tests.Engine;
using Buildx.KubeApiDouble;

namespace Buildx.Core.Tests.Kubernetes;

/// <summary>
/// The kubernetes driver against the API double: the objects it creates, bootstrap, removal, and
/// builds whose gRPC goes through a WebSocket exec of buildctl dial-stdio to the engine's BuildKit.
/// </summary>
public sealed class KubernetesDriverTests : IAsyncLifetime
{
    private readonly TempDirectory directory = new();
    private KubeApiServer server = null!;
    private string kubeconfig = null!;

    public async Task InitializeAsync()
    {
        server = await KubeApiServer.StartAsync(EngineFixture.Context.Host.Address);
        server.Cluster.AddNamespace("buildkit");
        kubeconfig = Path.Combine(directory.Path, "kubeconfig");
        server.WriteKubeconfig(kubeconfig, defaultNamespace: "buildkit");
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        directory.Dispose();
    }

    [Fact]
    public async Task Bootstrap_creates_the_Deployment_buildx_creates_and_remove_deletes_it()
    {
        var files = new Dictionary<string, byte[]> { ["buildkitd.toml"] = "debug = true\n"u8.ToArray() };
        using var driver = CreateDriver("kube0", new() { ["replicas"] = "2" }, files, ["linux/amd64"]);

        await driver.BootstrapAsync(null, CancellationToken.None);

        Assert.Equal(NodeStatus.Running, await driver.GetStatusAsync(CancellationToken.None));
        var deployment = server.Cluster.Get(ResourceKind.Deployments, "buildkit", "kube0")!;
        Assert.Equal("kube0", (string?)deployment["metadata"]!["labels"]!["app"]);
        Assert.Equal("linux/amd64", (string?)deployment["metadata"]!["annotations"]!["buildx.docker.com/platform"]);
        Assert.Equal(2, (int)deployment["spec"]!["replicas"]!);
        Assert.Equal(2, (int)deployment["status"]!["readyReplicas"]!);
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("buildkitd", (string?)container["name"]);
        Assert.Equal(KubernetesDriverOptions.DefaultImage, (string?)container["image"]);
        Assert.Equal(["--allow-insecure-entitlement=network.host"], container["args"]!.AsArray().Select(a => (string?)a));
        Assert.True((bool)container["securityContext"]!["privileged"]!);
        Assert.Equal(["buildctl", "debug", "workers"], container["readinessProbe"]!["exec"]!["command"]!.AsArray().Select(a => (string?)a));
        Assert.Equal("/etc/buildkit", (string?)container["volumeMounts"]![0]!["mountPath"]);
        var config = server.Cluster.Get(ResourceKind.ConfigMaps, "buildkit", "kube0-config")!;
        Assert.Equal("debug = true\n", (string?)config["data"]!["buildkitd.toml"]);
        var pods = server.Cluster.List(ResourceKind.Pods, "buildkit", "app=kube0");
        Assert.Equal(2, pods.Count);
        Assert.All(pods, pod => Assert.Matches("^kube0-[a-z0-9]{10}-[a-z0-9]{5}$", (string)pod["metadata"]!["name"]!));

        await driver.RemoveAsync(keepState: false, keepDaemon: false, CancellationToken.None);

        Assert.Null(server.Cluster.Get(ResourceKind.Deployments, "buildkit", "kube0"));
        Assert.Null(server.Cluster.Get(ResourceKind.ConfigMaps, "buildkit", "kube0-config"));
        Assert.Empty(server.Cluster.List(ResourceKind.Pods, "buildkit"));
        Assert.Equal(NodeStatus.Inactive, await driver.GetStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Remove_with_KeepDaemon_touches_nothing_on_the_cluster()
    {
        using var driver = CreateDriver("keep0", []);
        await driver.BootstrapAsync(null, CancellationToken.None);
        var writes = server.Cluster.Writes.Count;

        await driver.RemoveAsync(keepState: false, keepDaemon: true, CancellationToken.None);

        Assert.Equal(writes, server.Cluster.Writes.Count);
        Assert.NotNull(server.Cluster.Get(ResourceKind.Deployments, "buildkit", "keep0"));
    }

    [Fact]
    public async Task Rootless_pods_carry_no_privileged_flag()
    {
        using var driver = CreateDriver("rootless0", new() { ["rootless"] = "true" });
        await driver.BootstrapAsync(null, CancellationToken.None);

        var template = server.Cluster.Get(ResourceKind.Deployments, "buildkit", "rootless0")!["spec"]!["template"]!;
        var container = template["spec"]!["containers"]![0]!;
        Assert.Null(container["securityContext"]!["privileged"]);
        Assert.Equal("Unconfined", (string?)container["securityContext"]!["seccompProfile"]!["type"]);
        Assert.Equal(KubernetesDriverOptions.DefaultRootlessImage, (string?)container["image"]);
        Assert.Contains("--oci-worker-no-process-sandbox", container["args"]!.AsArray().Select(a => (string?)a));
        Assert.Equal("unconfined", (string?)template["metadata"]!["annotations"]!["container.apparmor.security.beta.kubernetes.io/buildkitd"]);
        Assert.Equal("/home/user/.local/share/buildkit", (string?)container["volumeMounts"]![0]!["mountPath"]);
    }

    [Fact]
    public async Task Rootless_is_refused_before_anything_is_created_on_clusters_older_than_1_19()
    {
        server.Cluster.ServerVersion = "1.18";
        using var driver = CreateDriver("old0", new() { ["rootless"] = "true" });

        var error = await Assert.ThrowsAsync<BuildxException>(() => driver.BootstrapAsync(null, CancellationToken.None));

        Assert.Equal(ErrorIds.KubernetesApiFailed, error.ErrorId);
        Assert.Equal(BuildxErrorKind.NotImplemented, error.Kind);
        Assert.Contains("1.19 or later", error.Message, StringComparison.Ordinal);
        Assert.Contains("v1.18.0-double", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Cluster.Writes);
    }

    [Fact]
    public async Task Every_scheduling_and_resource_option_reaches_the_pod_template()
    {
        using var driver = CreateDriver("opts0", new()
        {
            ["image"] = "example/buildkit:v1",
            ["requests.cpu"] = "100m",
            ["requests.memory"] = "500Mi",
            ["limits.cpu"] = "2",
            ["limits.memory"] = "4G",
            ["limits.ephemeral-storage"] = "1Gi",
            ["nodeselector"] = "kubernetes.io/arch=amd64,kubernetes.io/os=linux",
            ["tolerations"] = "key=foo,value=bar;key=foo2,operator=exists;key=foo3,effect=NoSchedule,tolerationSeconds=30",
            ["annotations"] = "team=infra",
            ["labels"] = "tier=build",
            ["serviceaccount"] = "builder",
            ["schedulername"] = "custom-scheduler",
            ["qemu.install"] = "true",
            ["qemu.image"] = "example/binfmt:v2",
            ["env.BUILDKIT_STEP_LOG_MAX_SIZE"] = "-1",
        });
        await driver.BootstrapAsync(null, CancellationToken.None);

        var deployment = server.Cluster.Get(ResourceKind.Deployments, "buildkit", "opts0")!;
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal("example/buildkit:v1", (string?)container["image"]);
        Assert.Equal("100m", (string?)container["resources"]!["requests"]!["cpu"]);
        Assert.Equal("500Mi", (string?)container["resources"]!["requests"]!["memory"]);
        Assert.Equal("2", (string?)container["resources"]!["limits"]!["cpu"]);
        Assert.Equal("4G", (string?)container["resources"]!["limits"]!["memory"]);
        Assert.Equal("1Gi", (string?)container["resources"]!["limits"]!["ephemeral-storage"]);
        Assert.Equal("amd64", (string?)pod["nodeSelector"]!["kubernetes.io/arch"]);
        Assert.Equal("linux", (string?)pod["nodeSelector"]!["kubernetes.io/os"]);
        var tolerations = pod["tolerations"]!.AsArray();
        Assert.Equal(3, tolerations.Count);
        Assert.Equal("bar", (string?)tolerations[0]!["value"]);
        Assert.Equal("Exists", (string?)tolerations[1]!["operator"]);
        Assert.Equal("NoSchedule", (string?)tolerations[2]!["effect"]);
        Assert.Equal(30, (long)tolerations[2]!["tolerationSeconds"]!);
        Assert.Equal("infra", (string?)deployment["metadata"]!["annotations"]!["team"]);
        Assert.Equal("infra", (string?)deployment["spec"]!["template"]!["metadata"]!["annotations"]!["team"]);
        Assert.Equal("build", (string?)deployment["spec"]!["selector"]!["matchLabels"]!["tier"]);
        Assert.Equal("build", (string?)deployment["spec"]!["template"]!["metadata"]!["labels"]!["tier"]);
        Assert.Equal("builder", (string?)pod["serviceAccountName"]);
        Assert.Equal("custom-scheduler", (string?)pod["schedulerName"]);
        Assert.Equal("example/binfmt:v2", (string?)pod["initContainers"]![0]!["image"]);
        Assert.Equal(["--install", "all"], pod["initContainers"]![0]!["args"]!.AsArray().Select(a => (string?)a));
        Assert.True((bool)pod["initContainers"]![0]!["securityContext"]!["privileged"]!);
        Assert.Equal("BUILDKIT_STEP_LOG_MAX_SIZE", (string?)container["env"]![0]!["name"]);
        Assert.Equal("-1", (string?)container["env"]![0]!["value"]);
    }

    [Fact]
    public async Task A_volume_claim_makes_a_StatefulSet_in_the_namespace_option()
    {
        server.Cluster.AddNamespace("other");
        using var driver = CreateDriver("pvc0", new() { ["persistent-volume-claim.requests.storage"] = "10Gi", ["namespace"] = "other" });
        await driver.BootstrapAsync(null, CancellationToken.None);

        var set = server.Cluster.Get(ResourceKind.StatefulSets, "other", "pvc0")!;
        Assert.Equal("buildkitd", (string?)set["spec"]!["serviceName"]);
        Assert.Equal("Parallel", (string?)set["spec"]!["podManagementPolicy"]);
        Assert.Equal("10Gi", (string?)set["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["resources"]!["requests"]!["storage"]);
        Assert.Null(server.Cluster.Get(ResourceKind.Deployments, "other", "pvc0"));
        Assert.Equal("pvc0-0", (string?)server.Cluster.List(ResourceKind.Pods, "other", "app=pvc0").Single()["metadata"]!["name"]);

        await driver.RemoveAsync(keepState: false, keepDaemon: false, CancellationToken.None);
        Assert.Null(server.Cluster.Get(ResourceKind.StatefulSets, "other", "pvc0"));
    }

    [Fact]
    public async Task Pods_that_never_get_ready_fail_bootstrap_with_their_events()
    {
        using var driver = CreateDriver("stuck0", new() { ["nodeselector"] = "kubernetes.io/arch=s390x", ["timeout"] = "1s" });
        var progress = new List<string>();

        var error = await Assert.ThrowsAsync<BuildxException>(() => driver.BootstrapAsync(new SyncProgress(progress), CancellationToken.None));

        Assert.Equal(ErrorIds.KubernetesPodsNotReady, error.ErrorId);
        Assert.Contains("0 of 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("FailedScheduling", error.Message, StringComparison.Ordinal);
        Assert.Contains("didn't match Pod's node affinity/selector", error.Message, StringComparison.Ordinal);
        Assert.Contains(progress, line => line.StartsWith("waiting for 1 pods to be ready, timeout: 1s", StringComparison.Ordinal));
        Assert.Contains(progress, line => line.Contains("Pending", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Changing_replicas_scales_the_existing_Deployment()
    {
        using (var first = CreateDriver("scale0", new() { ["replicas"] = "1" }))
        {
            await first.BootstrapAsync(null, CancellationToken.None);
        }

        using var second = CreateDriver("scale0", new() { ["replicas"] = "3" });
        await second.BootstrapAsync(null, CancellationToken.None);

        Assert.Equal(3, server.Cluster.List(ResourceKind.Pods, "buildkit", "app=scale0").Count);
        Assert.Equal(3, (int)server.Cluster.Get(ResourceKind.Deployments, "buildkit", "scale0")!["status"]!["readyReplicas"]!);
    }

    [Fact]
    public async Task Builds_run_through_the_exec_of_buildctl_dial_stdio()
    {
        var builder = await BootstrapBuilderAsync("build0", new() { ["replicas"] = "1" });
        var result = await BuildAsync(builder, "hello through a pod");

        Assert.Equal("hello through a pod", result);
        Assert.True(server.Cluster.ExecCounts.Values.Sum() >= 1);
    }

    [Fact]
    public async Task A_remote_kube_pod_endpoint_builds_through_an_exec_in_that_pod()
    {
        await BootstrapBuilderAsync("pod0", new() { ["replicas"] = "2" });
        var pod = (string)server.Cluster.List(ResourceKind.Pods, "buildkit", "app=pod0")[1]["metadata"]!["name"]!;
        var remote = new BuilderDefinition
        {
            Name = "viapod",
            Driver = RemoteDriver.DriverName,
            Nodes = [new NodeDefinition { Name = "viapod0", Endpoint = $"kube-pod://{pod}?namespace=buildkit&container=buildkitd" }],
        };
        var environment = new FixedEnvironment(new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig }, directory.Path);
        var runner = new BuildRunner(new DriverFactory(new DockerContextResolver(environment), environment), Path.Combine(directory.Path, "buildx"));
        var before = server.Cluster.ExecCounts.GetValueOrDefault(pod);

        var text = await BuildAsync(remote, "hello through kube-pod://", runner);

        Assert.Equal("hello through kube-pod://", text);
        Assert.True(server.Cluster.ExecCounts.GetValueOrDefault(pod) > before);
        var missing = new BuilderDefinition
        {
            Name = "nopod",
            Driver = RemoteDriver.DriverName,
            Nodes = [new NodeDefinition { Name = "nopod0", Endpoint = "kube-pod://no-such-pod?namespace=buildkit" }],
        };
        var node = (await new BuilderLoader(new DriverFactory(new DockerContextResolver(environment), environment)).LoadAsync([missing], null, TimeSpan.FromSeconds(20), CancellationToken.None))[0].Nodes[0];
        Assert.Equal(NodeStatus.Inactive, node.Status);
        Assert.Equal(ErrorIds.KubernetesExecFailed, node.StatusReasonId);
        Assert.Contains("no-such-pod", node.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_node_lists_its_running_pods_as_buildx_lists_dynamic_nodes()
    {
        var builder = await BootstrapBuilderAsync("dyn0", new() { ["replicas"] = "3" }, ["linux/amd64"]);
        var never = new BuilderDefinition { Name = "never0", Driver = KubernetesDriver.DriverName, Nodes = [builder.Nodes[0] with { Name = "never0" }] };
        var loader = new BuilderLoader(Factory());

        var loaded = await loader.LoadAsync([builder, never], null, TimeSpan.FromSeconds(20), CancellationToken.None);

        var pods = server.Cluster.List(ResourceKind.Pods, "buildkit", "app=dyn0").Select(p => (string)p["metadata"]!["name"]!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(3, pods.Length);
        Assert.True(loaded[0].Dynamic);
        Assert.Equal(NodeStatus.Running, loaded[0].Nodes[0].Status);
        Assert.Equal(pods, loaded[0].Nodes[0].Pods.Select(pod => pod.Name));
        Assert.All(loaded[0].Nodes[0].Pods, pod => Assert.Equal(["linux/amd64"], pod.Platforms));
        Assert.False(loaded[1].Dynamic);
        Assert.Equal(NodeStatus.Inactive, loaded[1].Nodes[0].Status);
        Assert.Empty(loaded[1].Nodes[0].Pods);

        // A pod being replaced drops out until its successor runs.
        server.Cluster.HoldPodsPending = true;
        server.Cluster.KillPod("buildkit", pods[1]);
        var after = (await loader.LoadAsync([builder], null, TimeSpan.FromSeconds(20), CancellationToken.None))[0].Nodes[0].Pods.Select(pod => pod.Name);
        Assert.Equal([pods[0], pods[2]], after);
    }

    [Fact]
    public async Task Sticky_pins_a_context_to_one_of_four_pods_and_random_spreads()
    {
        var sticky = await BootstrapBuilderAsync("sticky0", new() { ["replicas"] = "4" });
        Assert.Equal(4, server.Cluster.List(ResourceKind.Pods, "buildkit", "app=sticky0").Count);
        var context = Path.Combine(directory.Path, "ctx");
        var pods = new HashSet<string>();
        for (var i = 0; i < 3; i++)
        {
            using var driver = CreateDriver("sticky0", new() { ["replicas"] = "4" });
            driver.ContextPathHash = context;
            await using var stream = await driver.Dialer(CancellationToken.None);
            pods.Add(driver.ChosenPod!);
        }

        var running = server.Cluster.List(ResourceKind.Pods, "buildkit", "app=sticky0").Select(p => (string)p["metadata"]!["name"]!).ToArray();
        Assert.Equal([PodChooser.ChooseSticky(running, context)], pods);

        var spread = new HashSet<string>();
        for (var i = 0; i < 40 && spread.Count < 2; i++)
        {
            using var driver = CreateDriver("sticky0", new() { ["replicas"] = "4", ["loadbalance"] = "random" });
            await using var stream = await driver.Dialer(CancellationToken.None);
            spread.Add(driver.ChosenPod!);
        }

        Assert.True(spread.Count >= 2, "random picked the same pod 40 times in a row");
        Assert.Equal("sticky0", sticky.Name);
    }

    [Fact]
    public async Task A_pod_killed_mid_build_fails_that_build_clearly_and_the_next_build_uses_another_replica()
    {
        var builder = await BootstrapBuilderAsync("kill0", new() { ["replicas"] = "2", ["loadbalance"] = "random" });
        directory.Write("slow/Dockerfile", "FROM buildx-test/busybox:latest\nRUN sleep 20\n");
        using var driver = (KubernetesDriver)Factory().Create(builder, builder.Nodes[0]);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var build = Runner().RunAsync(builder, new BuildRequest { ContextPath = Path.Combine(directory.Path, "slow") }, _ => { }, rawStatus: false, cancel.Token);

        // Wait until the build's exec is open, then kill that pod.
        string? victim = null;
        for (var i = 0; i < 100 && victim is null; i++)
        {
            await Task.Delay(100);
            victim = server.Cluster.ExecCounts.Keys.FirstOrDefault();
        }

        Assert.NotNull(victim);
        await Task.Delay(1000);
        server.Cluster.KillPod("buildkit", victim);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => build);
        Assert.False(cancel.IsCancellationRequested, "the build hung instead of failing");
        Assert.Contains("broke off", error.Message + error.InnerException?.Message, StringComparison.Ordinal);
        Assert.Contains(victim, error.Message + error.InnerException?.Message, StringComparison.Ordinal);

        // The controller replaced the pod; the next build succeeds on a running replica.
        await driver.BootstrapAsync(null, CancellationToken.None);
        Assert.Equal("after the kill", await BuildAsync(builder, "after the kill"));
        Assert.DoesNotContain(victim, server.Cluster.List(ResourceKind.Pods, "buildkit", "app=kill0").Select(p => (string?)p["metadata"]!["name"]));
    }

    private async Task<BuilderDefinition> BootstrapBuilderAsync(string node, Dictionary<string, string> options, string[]? platforms = null)
    {
        var builder = new BuilderDefinition
        {
            Name = node,
            Driver = KubernetesDriver.DriverName,
            Nodes =
            [
                new NodeDefinition
                {
                    Name = node,
                    Endpoint = new KubernetesEndpoint(node, "buildkit-test", kubeconfig, null).ToString(),
                    DriverOptions = options,
                    Platforms = platforms ?? [],
                },
            ],
        };
        using var driver = Factory().Create(builder, builder.Nodes[0]);
        await driver.BootstrapAsync(null, CancellationToken.None);
        return builder;
    }

    private async Task<string> BuildAsync(BuilderDefinition builder, string text, BuildRunner? runner = null)
    {
        var context = Path.Combine(directory.Path, "ctx-" + Guid.NewGuid().ToString("N"));
        directory.Write(Path.GetRelativePath(directory.Path, Path.Combine(context, "Dockerfile")), "FROM scratch\nCOPY . /\n");
        directory.Write(Path.GetRelativePath(directory.Path, Path.Combine(context, "hello.txt")), text);
        var output = Path.Combine(context + "-out");
        await (runner ?? Runner()).RunAsync(
            builder,
            new BuildRequest { ContextPath = context, Outputs = [new ExportSpec(ExportSpec.Local, output, new Dictionary<string, string>())] },
            _ => { },
            rawStatus: false,
            CancellationToken.None);
        return File.ReadAllText(Path.Combine(output, "hello.txt"));
    }

    private DriverFactory Factory() => new(
        new DockerContextResolver(new FixedEnvironment(new Dictionary<string, string>(), directory.Path)),
        new FixedEnvironment(new Dictionary<string, string>(), directory.Path));

    private BuildRunner Runner() => new(Factory(), Path.Combine(directory.Path, "buildx"));

    private KubernetesDriver CreateDriver(string node, Dictionary<string, string> options, Dictionary<string, byte[]>? files = null, string[]? platforms = null) => new(
        KubernetesConnection.Open(kubeconfig, null, new FixedEnvironment(new Dictionary<string, string>(), directory.Path)),
        node,
        KubernetesDriverOptions.Parse(options),
        ["--allow-insecure-entitlement=network.host"],
        files,
        platforms);

    private sealed class SyncProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (lines)
            {
                lines.Add(value);
            }
        }
    }
}
