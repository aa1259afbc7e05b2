namespace Buildx.Core.Docker;

/// <summary>Where the Docker CLI keeps its configuration: <c>$DOCKER_CONFIG</c>, else <c>~/.docker</c>.</summary>
public static class DockerConfigDirectory
{
    public static string Resolve(IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var fromEnv = environment.GetVariable("DOCKER_CONFIG");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Path.GetFullPath(fromEnv);
        }

        return Path.Combine(environment.HomeDirectory, ".docker");
    }
}
