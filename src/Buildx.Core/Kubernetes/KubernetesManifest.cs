using k8s.Models;

namespace Buildx.Core.Kubernetes;

/// <summary>
/// The objects buildx's <c>manifest.NewDeployment</c> makes for a node: names, labels,
/// annotations, the <c>buildkitd</c> container with its args, probes and security context, the
/// ConfigMaps for the config files, and a StatefulSet when a volume claim is asked for.
/// </summary>
public static class KubernetesManifest
{
    public const string ContainerName = "buildkitd";
    public const string ConfigDirectory = "/etc/buildkit";
    public const string StateDirectory = "/var/lib/buildkit";
    public const string RootlessStateDirectory = "/home/user/.local/share/buildkit";
    public const string AppArmorAnnotation = "container.apparmor.security.beta.kubernetes.io/buildkitd";
    public const string RootlessSandboxFlag = "--oci-worker-no-process-sandbox";

    private static readonly string[] ProbeCommand = ["buildctl", "debug", "workers"];

    /// <summary>The workload name: the node name with <c>_</c> as <c>-</c>, as buildx derives it.</summary>
    public static string WorkloadName(string nodeName)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        return nodeName.Replace('_', '-');
    }

    public static KubernetesObjects Build(
        string nodeName,
        string ns,
        KubernetesDriverOptions options,
        IReadOnlyList<string> buildkitdFlags,
        IReadOnlyDictionary<string, byte[]> configFiles,
        IReadOnlyList<string> platforms)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(buildkitdFlags);
        ArgumentNullException.ThrowIfNull(configFiles);
        ArgumentNullException.ThrowIfNull(platforms);
        var name = WorkloadName(nodeName);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { [KubernetesDriverOptions.AppLabel] = name };
        foreach (var (key, value) in options.Labels)
        {
            labels[key] = value;
        }

        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (platforms.Count > 0)
        {
            annotations[KubernetesDriverOptions.PlatformAnnotation] = string.Join(',', platforms);
        }

        foreach (var (key, value) in options.Annotations)
        {
            annotations[key] = value;
        }

        var configMaps = ConfigMaps(name, ns, labels, annotations, configFiles);
        var container = new V1Container
        {
            Name = ContainerName,
            Image = options.Image,
            Args = [.. buildkitdFlags],
            SecurityContext = new V1SecurityContext { Privileged = true },
            ReadinessProbe = Probe(),
            LivenessProbe = Probe(),
            VolumeMounts = [],
        };
        if (options.Requests.Count > 0 || options.Limits.Count > 0)
        {
            container.Resources = new V1ResourceRequirements
            {
                Requests = options.Requests.Count > 0 ? options.Requests.ToDictionary(pair => pair.Key, pair => new ResourceQuantity(pair.Value)) : null,
                Limits = options.Limits.Count > 0 ? options.Limits.ToDictionary(pair => pair.Key, pair => new ResourceQuantity(pair.Value)) : null,
            };
        }

        if (options.Environment.Count > 0)
        {
            container.Env = options.Environment.Select(pair => new V1EnvVar { Name = pair.Key, Value = pair.Value }).ToList();
        }

        var podAnnotations = new SortedDictionary<string, string>(annotations, StringComparer.Ordinal);
        var podSpec = new V1PodSpec
        {
            Containers = [container],
            Volumes = [],
            NodeSelector = options.NodeSelector.Count > 0 ? new Dictionary<string, string>(options.NodeSelector) : null,
            Tolerations = options.Tolerations.Count > 0 ? [.. options.Tolerations] : null,
            ServiceAccountName = options.ServiceAccount,
            SchedulerName = options.SchedulerName,
        };

        foreach (var (map, directory) in configMaps)
        {
            podSpec.Volumes.Add(new V1Volume { Name = map.Metadata.Name, ConfigMap = new V1ConfigMapVolumeSource { Name = map.Metadata.Name } });
            container.VolumeMounts.Add(new V1VolumeMount { Name = map.Metadata.Name, MountPath = directory.Length == 0 ? ConfigDirectory : $"{ConfigDirectory}/{directory}" });
        }

        if (options.QemuInstall)
        {
            podSpec.InitContainers =
            [
                new V1Container
                {
                    Name = "qemu",
                    Image = options.QemuImage,
                    Args = ["--install", "all"],
                    SecurityContext = new V1SecurityContext { Privileged = true },
                },
            ];
        }

        if (options.Rootless)
        {
            container.Args.Add(RootlessSandboxFlag);
            container.SecurityContext = new V1SecurityContext { SeccompProfile = new V1SeccompProfile { Type = "Unconfined" } };
            podAnnotations[AppArmorAnnotation] = "unconfined";
            podSpec.Volumes.Add(new V1Volume { Name = "buildkitd", EmptyDir = EmptyDir(options.RootVolumeMemory) });
            container.VolumeMounts.Add(new V1VolumeMount { Name = "buildkitd", MountPath = RootlessStateDirectory });
        }
        else if (options.RootVolumeMemory is not null)
        {
            podSpec.Volumes.Add(new V1Volume { Name = "buildkit-memory", EmptyDir = EmptyDir(options.RootVolumeMemory) });
            container.VolumeMounts.Add(new V1VolumeMount { Name = "buildkit-memory", MountPath = StateDirectory });
        }

        if (podSpec.Volumes.Count == 0)
        {
            podSpec.Volumes = null;
        }

        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels), Annotations = podAnnotations.Count > 0 ? new Dictionary<string, string>(podAnnotations) : null },
            Spec = podSpec,
        };
        var metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string>(labels),
            Annotations = annotations.Count > 0 ? new Dictionary<string, string>(annotations) : null,
        };
        var selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(labels) };

        if (options.PersistentVolumeClaimStorage is { } storage)
        {
            if (options.Rootless)
            {
                // The claim replaces the rootless emptyDir at the same path.
                podSpec.Volumes = podSpec.Volumes?.Where(volume => volume.Name != "buildkitd").ToList() is { Count: > 0 } kept ? kept : null;
            }
            else
            {
                container.VolumeMounts.Add(new V1VolumeMount { Name = "buildkitd", MountPath = StateDirectory });
            }

            var statefulSet = new V1StatefulSet
            {
                ApiVersion = "apps/v1",
                Kind = "StatefulSet",
                Metadata = metadata,
                Spec = new V1StatefulSetSpec
                {
                    Replicas = options.Replicas,
                    Selector = selector,
                    ServiceName = "buildkitd",
                    PodManagementPolicy = "Parallel",
                    Template = template,
                    VolumeClaimTemplates =
                    [
                        new V1PersistentVolumeClaim
                        {
                            Metadata = new V1ObjectMeta { Name = "buildkitd" },
                            Spec = new V1PersistentVolumeClaimSpec
                            {
                                AccessModes = ["ReadWriteOnce"],
                                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(storage) } },
                            },
                        },
                    ],
                },
            };
            return new KubernetesObjects(name, ns, configMaps.Select(c => c.Map).ToArray(), null, statefulSet);
        }

        var deployment = new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = metadata,
            Spec = new V1DeploymentSpec { Replicas = options.Replicas, Selector = selector, Template = template },
        };
        return new KubernetesObjects(name, ns, configMaps.Select(c => c.Map).ToArray(), deployment, null);
    }

    /// <summary>The ConfigMap names the node's files give: <c>&lt;name&gt;-config</c>, then <c>-config-&lt;n&gt;</c> per subdirectory.</summary>
    public static IReadOnlyList<string> ConfigMapNames(string nodeName, IReadOnlyDictionary<string, byte[]> configFiles)
    {
        ArgumentNullException.ThrowIfNull(configFiles);
        return ConfigMaps(WorkloadName(nodeName), string.Empty, new Dictionary<string, string>(), new Dictionary<string, string>(), configFiles)
            .Select(c => c.Map.Metadata.Name).ToArray();
    }

    private static List<(V1ConfigMap Map, string Directory)> ConfigMaps(
        string name, string ns, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> annotations, IReadOnlyDictionary<string, byte[]> configFiles)
    {
        var byDirectory = configFiles
            .GroupBy(file => Path.GetDirectoryName(file.Key.TrimStart('/'))?.Replace('\\', '/') ?? string.Empty)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .ToList();
        var maps = new List<(V1ConfigMap, string)>();
        var index = 0;
        foreach (var group in byDirectory)
        {
            var mapName = group.Key.Length == 0 ? $"{name}-config" : $"{name}-config-{index++}";
            maps.Add((new V1ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = new V1ObjectMeta
                {
                    Name = mapName,
                    NamespaceProperty = ns.Length > 0 ? ns : null,
                    Labels = new Dictionary<string, string>(labels),
                    Annotations = annotations.Count > 0 ? new Dictionary<string, string>(annotations) : null,
                },
                Data = group.ToDictionary(file => Path.GetFileName(file.Key), file => System.Text.Encoding.UTF8.GetString(file.Value), StringComparer.Ordinal),
            }, group.Key));
        }

        return maps;
    }

    private static V1Probe Probe() => new()
    {
        Exec = new V1ExecAction { Command = [.. ProbeCommand] },
        InitialDelaySeconds = 5,
        PeriodSeconds = 30,
        TimeoutSeconds = 60,
        FailureThreshold = 3,
        SuccessThreshold = 1,
    };

    private static V1EmptyDirVolumeSource EmptyDir(string? memory) =>
        memory is null ? new V1EmptyDirVolumeSource() : new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity(memory) };
}
