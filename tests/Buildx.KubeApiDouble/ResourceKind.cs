namespace Buildx.KubeApiDouble;

/// <summary>A REST resource the double serves: its URL plural, API group/version and object kind.</summary>
public sealed record ResourceKind(string Plural, string Group, string Version, string Kind)
{
    public static ResourceKind Deployments { get; } = new("deployments", "apps", "v1", "Deployment");

    public static ResourceKind StatefulSets { get; } = new("statefulsets", "apps", "v1", "StatefulSet");

    public static ResourceKind Pods { get; } = new("pods", string.Empty, "v1", "Pod");

    public static ResourceKind ConfigMaps { get; } = new("configmaps", string.Empty, "v1", "ConfigMap");

    public static ResourceKind Events { get; } = new("events", string.Empty, "v1", "Event");

    public static IReadOnlyList<ResourceKind> All { get; } = [Deployments, StatefulSets, Pods, ConfigMaps, Events];

    /// <summary><c>apps/v1</c> or <c>v1</c>, as objects carry it.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary><c>deployments.apps</c> or <c>pods</c>, as the API server names resources in messages.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public static ResourceKind? Find(string group, string version, string plural) =>
        All.FirstOrDefault(kind => kind.Group == group && kind.Version == version && kind.Plural == plural);
}
