using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Buildx.Core.Tests.Engine;
using Buildx.KubeApiDouble;

namespace Buildx.Core.Tests.Kubernetes;

/// <summary>The double rejects what a real API server rejects, so the driver's tests mean something.</summary>
public sealed class KubeApiDoubleTests : IAsyncLifetime
{
    private const string ValidDeployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d1"},
         "spec":{"replicas":1,"selector":{"matchLabels":{"app":"d1"}},
                 "template":{"metadata":{"labels":{"app":"d1"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}
        """;

    private KubeApiServer server = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        server = await KubeApiServer.StartAsync(EngineFixture.Context.Host.Address);
        http = new HttpClient { BaseAddress = new Uri(server.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "double-token");
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Creating_an_existing_name_is_409_AlreadyExists()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(ValidDeployment)).StatusCode);
        var again = await PostAsync(ValidDeployment);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("\"reason\":\"AlreadyExists\"", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"apiVersion\":\"apps/v1\"", "\"apiVersion\":\"v1\"", 400, "does not match the expected API version")]
    [InlineData("\"kind\":\"Deployment\",", "", 400, "Object 'Kind' is missing")]
    [InlineData("\"name\":\"d1\"", "\"name\":\"\"", 422, "metadata.name: Required value")]
    [InlineData("\"matchLabels\":{\"app\":\"d1\"}", "\"matchLabels\":{\"app\":\"other\"}", 422, "`selector` does not match template `labels`")]
    [InlineData("{\"name\":\"c\",\"image\":\"i\"}", "{\"name\":\"c\"}", 422, "image: Required value")]
    public async Task Malformed_objects_are_rejected_as_the_API_server_rejects_them(string from, string to, int code, string message)
    {
        var response = await PostAsync(ValidDeployment.Replace(from, to, StringComparison.Ordinal));

        Assert.Equal(code, (int)response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(server.Cluster.Writes);
    }

    [Fact]
    public async Task Missing_objects_and_namespaces_are_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/apis/apps/v1/namespaces/default/deployments/none")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/api/v1/namespaces/default/configmaps/none")).StatusCode);
        using var content = new StringContent(ValidDeployment, Encoding.UTF8, "application/json");
        var response = await http.PostAsync("/apis/apps/v1/namespaces/nowhere/deployments", content);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("namespaces \\\"nowhere\\\" not found", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_without_the_token_are_401()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.Url) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/namespaces/default/pods")).StatusCode);
    }

    private async Task<HttpResponseMessage> PostAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await http.PostAsync("/apis/apps/v1/namespaces/default/deployments", content);
    }
}
