using Buildx.Core.Kubernetes;

namespace Buildx.Core.Tests.Kubernetes;

public sealed class PodChooserTests
{
    private static readonly string[] Pods = ["kube0-6977cdcb75-48ld2", "kube0-6977cdcb75-rkc6b", "kube0-6977cdcb75-vb4ks", "kube0-6977cdcb75-z4fzs"];

    // Expected pods computed separately (Python hashlib): MD5("<pod>-0") ring points and MD5(key)
    // as signed little-endian (High, Low), first point strictly greater, wrapping to the first.
    [Theory]
    [InlineData("/home/user/project", "kube0-6977cdcb75-rkc6b")]
    [InlineData("/src/app", "kube0-6977cdcb75-z4fzs")]
    [InlineData("/tmp/ctx", "kube0-6977cdcb75-48ld2")]
    public void Sticky_picks_the_pod_buildx_hash_ring_picks(string contextPath, string expected)
    {
        Assert.Equal(expected, PodChooser.ChooseSticky(Pods, contextPath));
        Assert.Equal(expected, PodChooser.ChooseSticky(Pods.Reverse().ToArray(), contextPath));
    }

    [Fact]
    public void Sticky_spreads_different_contexts_over_the_pods()
    {
        var chosen = Enumerable.Range(0, 200).Select(i => PodChooser.ChooseSticky(Pods, $"/work/project-{i}")).ToHashSet();

        Assert.Equal(Pods.Length, chosen.Count);
    }

    [Fact]
    public void Random_only_picks_running_pods_and_reaches_each()
    {
        var chosen = Enumerable.Range(0, 400).Select(_ => PodChooser.ChooseRandom(Pods)).ToHashSet();

        Assert.Equal(Pods.ToHashSet(), chosen);
    }
}
