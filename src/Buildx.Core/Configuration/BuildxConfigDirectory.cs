using Buildx.Core.Docker;

namespace Buildx.Core.Configuration;

/// <summary>
/// Where buildx keeps its store: <c>$BUILDX_CONFIG</c>, else <c>buildx</c> beside the Docker CLI's
/// <c>config.json</c> (so <c>$DOCKER_CONFIG/buildx</c> or <c>~/.docker/buildx</c>), as buildx's
/// <c>confutil.NewConfig</c> resolves it.
/// </summary>
public static class BuildxConfigDirectory
{
    public static string Resolve(IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var fromEnv = environment.GetVariable("BUILDX_CONFIG");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Path.GetFullPath(fromEnv);
        }

        return Path.Combine(DockerConfigDirectory.Resolve(environment), "buildx");
    }
}
