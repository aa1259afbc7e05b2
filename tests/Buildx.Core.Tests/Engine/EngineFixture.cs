using Buildx.Core.Docker;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// The real Docker engine the tests talk to: DOCKER_HOST if set, else the platform default.
/// build.ps1 Test starts one; these tests fail rather than skip when it is missing.
/// </summary>
public static class EngineFixture
{
    public static DockerContext Context { get; } = new DockerContextResolver(
        new FixedEnvironment(
            Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host
                ? new Dictionary<string, string> { ["DOCKER_HOST"] = host }
                : new Dictionary<string, string>(),
            Path.GetTempPath())).ResolveCurrent();

    public static DockerEngineClient CreateEngine() => new(Context);
}
