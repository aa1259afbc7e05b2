using Buildx.Core.Registry;

namespace Buildx.Core.Tests.Registry;

public sealed class RegistryChallengeTests
{
    [Fact]
    public void Reads_quoted_parameters_with_commas_and_escapes()
    {
        var parameters = RegistryChallenge.ParseParameters("realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\",note=\"say \\\"hi\\\"\"");

        Assert.Equal("https://auth.example/token", parameters["realm"]);
        Assert.Equal("registry.example", parameters["service"]);
        Assert.Equal("repository:a/b:pull,push", parameters["scope"]);
        Assert.Equal("say \"hi\"", parameters["note"]);
    }

    [Fact]
    public void Reads_unquoted_parameters() =>
        Assert.Equal("Registry Realm", RegistryChallenge.ParseParameters("realm=Registry Realm")["realm"]);

    [Fact]
    public void Prefers_a_bearer_challenge()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Basic realm=\"r\"");
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer realm=\"https://t/token\",service=\"s\"");

        var challenge = RegistryChallenge.From(response.Headers);

        Assert.NotNull(challenge);
        Assert.True(challenge.IsBearer);
        Assert.Equal("https://t/token", challenge.Realm);
    }
}
