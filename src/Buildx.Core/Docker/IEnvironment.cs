namespace Buildx.Core.Docker;

/// <summary>
/// The process environment as the resolvers see it. Cmdlets pass the real one; tests pass a
/// dictionary so they never change the test process's variables.
/// </summary>
public interface IEnvironment
{
    string HomeDirectory { get; }

    string? GetVariable(string name);

    /// <summary>Where a pod's service account is mounted (token, ca.crt, namespace); fixed in a real pod.</summary>
    string ServiceAccountDirectory => Kubernetes.InClusterConfiguration.DefaultServiceAccountDirectory;
}

/// <summary>The real process environment.</summary>
public sealed class ProcessEnvironment : IEnvironment
{
    public static ProcessEnvironment Instance { get; } = new();

    public string HomeDirectory => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);
}

/// <summary>A fixed environment, for tests and for callers that capture one.</summary>
public sealed class FixedEnvironment(IReadOnlyDictionary<string, string> variables, string homeDirectory, string? serviceAccountDirectory = null) : IEnvironment
{
    public string HomeDirectory { get; } = homeDirectory;

    public string ServiceAccountDirectory { get; } = serviceAccountDirectory ?? Kubernetes.InClusterConfiguration.DefaultServiceAccountDirectory;

    public string? GetVariable(string name) => variables.TryGetValue(name, out var value) ? value : null;
}
