namespace Buildx.KubeApiDouble;

/// <summary>A cluster node the simulated scheduler places pods on, by its labels.</summary>
public sealed record SimulatedNode(string Name, IReadOnlyDictionary<string, string> Labels)
{
    public static SimulatedNode Linux(string name, string architecture) => new(name, new Dictionary<string, string>
    {
        ["kubernetes.io/arch"] = architecture,
        ["kubernetes.io/os"] = "linux",
        ["kubernetes.io/hostname"] = name,
    });
}
