using Buildx.Core.Kubernetes;

namespace Buildx.Core.Tests.Kubernetes;

public sealed class KubernetesEndpointTests
{
    [Fact]
    public void Writes_buildx_endpoint_form_and_reads_it_back()
    {
        var endpoint = KubernetesEndpoint.Create("kube", "/home/me/.kube/config", null);
        var text = endpoint.ToString();

        Assert.Matches("^kubernetes:///kube\\?deployment=buildkit-[0-9a-f-]{36}-[0-9a-f]{5}&kubeconfig=%2Fhome%2Fme%2F.kube%2Fconfig$", text);
        Assert.Equal(endpoint, KubernetesEndpoint.TryParse(text));
    }

    [Fact]
    public void Reads_an_endpoint_buildx_wrote_with_an_empty_kubeconfig()
    {
        var endpoint = KubernetesEndpoint.TryParse("kubernetes:///kube?deployment=builder-amd64&kubeconfig=");

        Assert.Equal(new KubernetesEndpoint("kube", "builder-amd64", null, null), endpoint);
    }

    [Fact]
    public void Keeps_a_chosen_context()
    {
        var text = new KubernetesEndpoint("kube", "d", "/k", "staging").ToString();

        Assert.Equal("kubernetes:///kube?context=staging&deployment=d&kubeconfig=%2Fk", text);
        Assert.Equal("staging", KubernetesEndpoint.TryParse(text)!.Context);
    }
}
