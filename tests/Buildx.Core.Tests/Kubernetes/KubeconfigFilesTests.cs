using Buildx.Core.Docker;
using Buildx.Core.Kubernetes;

namespace Buildx.Core.Tests.Kubernetes;

public sealed class KubeconfigFilesTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void KUBECONFIG_with_several_files_merges_them_as_kubectl_does()
    {
        var first = directory.Write("first.yaml", Kubeconfig("alpha", "https://alpha.example:6443", "team-a", current: "alpha", extraCluster: ("shared", "https://first-wins.example")));
        var second = directory.Write("second.yaml", Kubeconfig("beta", "https://beta.example:6443", "team-b", current: "beta", extraCluster: ("shared", "https://second-loses.example")));
        var environment = new FixedEnvironment(new Dictionary<string, string> { ["KUBECONFIG"] = first + Path.PathSeparator + second }, directory.Path);

        using var current = KubernetesConnection.Open(null, null, environment);
        using var beta = KubernetesConnection.Open(null, "beta", environment);

        Assert.Contains("alpha.example", current.Description, StringComparison.Ordinal);
        Assert.Equal("team-a", current.DefaultNamespace);
        Assert.Contains("beta.example", beta.Description, StringComparison.Ordinal);
        Assert.Equal("team-b", beta.DefaultNamespace);
        Assert.Equal(["alpha", "beta"], KubernetesConnection.ListContexts(null, environment));
        Assert.Equal("https://first-wins.example", KubeconfigFiles.Load([first, second]).Clusters.Single(c => c.Name == "shared").ClusterEndpoint.Server);
    }

    private static string Kubeconfig(string name, string server, string ns, string current, (string Name, string Server) extraCluster) => $"""
        apiVersion: v1
        kind: Config
        current-context: {current}
        clusters:
        - name: {name}
          cluster:
            server: {server}
            insecure-skip-tls-verify: true
        - name: {extraCluster.Name}
          cluster:
            server: {extraCluster.Server}
        users:
        - name: {name}
          user:
            token: token-{name}
        contexts:
        - name: {name}
          context:
            cluster: {name}
            user: {name}
            namespace: {ns}
        """;
}
