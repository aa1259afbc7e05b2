using System.Globalization;
using Buildx.Core.Cache;
using Buildx.Core.Errors;
using Buildx.Core.Text;
using k8s.Models;

namespace Buildx.Core.Kubernetes;

/// <summary>
/// The kubernetes driver's options (<c>--driver-opt</c>) with buildx's keys, parsing and defaults
/// (<c>driver/kubernetes/factory.go</c> <c>processDriverOpts</c>).
/// </summary>
public sealed record KubernetesDriverOptions
{
    public const string DefaultImage = "moby/buildkit:buildx-stable-1";
    public const string DefaultRootlessImage = "moby/buildkit:buildx-stable-1-rootless";
    public const string DefaultQemuImage = "tonistiigi/binfmt:latest";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    public const string ImageKey = "image";
    public const string NamespaceKey = "namespace";
    public const string ReplicasKey = "replicas";
    public const string RequestsPrefix = "requests.";
    public const string LimitsPrefix = "limits.";
    public const string NodeSelectorKey = "nodeselector";
    public const string TolerationsKey = "tolerations";
    public const string AnnotationsKey = "annotations";
    public const string LabelsKey = "labels";
    public const string ServiceAccountKey = "serviceaccount";
    public const string SchedulerNameKey = "schedulername";
    public const string RootlessKey = "rootless";
    public const string LoadBalanceKey = "loadbalance";
    public const string QemuInstallKey = "qemu.install";
    public const string QemuImageKey = "qemu.image";
    public const string PersistentVolumeClaimKey = "persistent-volume-claim.requests.storage";
    public const string RootVolumeMemoryKey = "buildkit-root-volume-memory";
    public const string DefaultLoadKey = "default-load";
    public const string TimeoutKey = "timeout";
    public const string EnvPrefix = "env.";

    public const string Sticky = "sticky";
    public const string Random = "random";

    /// <summary>Reserved: the driver writes it itself from the node's platforms.</summary>
    public const string PlatformAnnotation = "buildx.docker.com/platform";

    /// <summary>Reserved: the driver's own selector label.</summary>
    public const string AppLabel = "app";

    private static readonly string[] ResourceNames = ["cpu", "memory", "ephemeral-storage"];
    private static readonly string[] TolerationKeys = ["key", "operator", "value", "effect", "tolerationSeconds"];
    private const string BoolForms = "true or false (also 1, t, T, TRUE, True, 0, f, F, FALSE, False)";
    private const string QuantityForms = "a Kubernetes quantity such as 100m, 2, 500Mi or 4G";
    private const string PairForms = "key=value pairs separated by commas, such as kubernetes.io/arch=arm64,disk=ssd (or a hashtable)";

    public static IReadOnlyList<Drivers.DriverOptionDescriptor> Declared { get; } =
    [
        new(ImageKey, "image reference", DefaultImage, "The BuildKit image (with rootless=true: " + DefaultRootlessImage + ")."),
        new(NamespaceKey, "string", "the kubeconfig context's namespace", "The namespace of every object."),
        new(ReplicasKey, "integer", "1", "BuildKit pods in the Deployment; bootstrap waits until this many are ready."),
        new("requests.cpu", "quantity", null, "CPU request of the BuildKit container, such as 100m or 2."),
        new("requests.memory", "quantity", null, "Memory request, such as 500Mi or 4G."),
        new("requests.ephemeral-storage", "quantity", null, "Ephemeral storage; buildx writes it as a limit (its behaviour, kept)."),
        new("limits.cpu", "quantity", null, "CPU limit."),
        new("limits.memory", "quantity", null, "Memory limit."),
        new("limits.ephemeral-storage", "quantity", null, "Ephemeral storage limit."),
        new(NodeSelectorKey, "key=value list or hashtable", null, "The pods' nodeSelector, such as @{ 'kubernetes.io/arch' = 'arm64' }."),
        new(TolerationsKey, "tolerations (';' separated) or hashtables", null, "The pods' tolerations: key, operator, value, effect, tolerationSeconds."),
        new(AnnotationsKey, "key=value list or hashtable", null, "Annotations for the workload, its pods and ConfigMaps."),
        new(LabelsKey, "key=value list or hashtable", null, "Labels for the workload and its pods (and its selector)."),
        new(ServiceAccountKey, "string", null, "The pods' service account."),
        new(SchedulerNameKey, "string", null, "The pods' scheduler."),
        new(RootlessKey, "boolean", "false", "Run BuildKit rootless: no privileged flag, seccomp and AppArmor unconfined."),
        new(LoadBalanceKey, "sticky or random", Sticky, "Which pod a build uses: sticky hashes the context path, random picks per build."),
        new(QemuInstallKey, "boolean", "false", "Install QEMU emulators with a privileged init container."),
        new(QemuImageKey, "image reference", DefaultQemuImage, "The emulator installer image."),
        new(PersistentVolumeClaimKey, "quantity", null, "Keep BuildKit's state on a volume claim: a StatefulSet instead of a Deployment."),
        new(RootVolumeMemoryKey, "quantity", null, "Keep BuildKit's state in memory (an emptyDir of this size)."),
        new(DefaultLoadKey, "boolean", "false", "Load build results into the Docker engine's image store by default."),
        new(TimeoutKey, "duration", "120s", "How long bootstrap waits for the pods, such as 120s or 5m."),
        new(EnvPrefix, "string", null, "An environment variable for BuildKit, such as env.BUILDKIT_STEP_LOG_MAX_SIZE=-1."),
    ];

    public static IReadOnlyList<string> AcceptedKeys { get; } = Declared.Select(option => option.DisplayKey).ToArray();

    /// <summary>Keys whose value is a list of key=value pairs (a hashtable in PowerShell).</summary>
    public static IReadOnlyList<string> MapKeys { get; } = [NodeSelectorKey, AnnotationsKey, LabelsKey];

    public string Image { get; init; } = DefaultImage;

    /// <summary>Null: the kubeconfig context's namespace.</summary>
    public string? Namespace { get; init; }

    public int Replicas { get; init; } = 1;

    public IReadOnlyDictionary<string, string> Requests { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Limits { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyList<V1Toleration> Tolerations { get; init; } = [];

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public string? ServiceAccount { get; init; }

    public string? SchedulerName { get; init; }

    public bool Rootless { get; init; }

    public string LoadBalance { get; init; } = Sticky;

    public bool QemuInstall { get; init; }

    public string QemuImage { get; init; } = DefaultQemuImage;

    /// <summary>Non-null: a StatefulSet with a volume claim of this size.</summary>
    public string? PersistentVolumeClaimStorage { get; init; }

    public string? RootVolumeMemory { get; init; }

    public bool DefaultLoad { get; init; }

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Container environment, by name.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Parses stored driver options; every value is checked before anything is created.</summary>
    public static KubernetesDriverOptions Parse(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new KubernetesDriverOptions();
        var requests = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var limits = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var imageGiven = false;

        foreach (var (key, value) in options.OrderBy(option => option.Key, StringComparer.Ordinal))
        {
            switch (key)
            {
                case ImageKey:
                    imageGiven |= value.Length > 0;
                    result = value.Length > 0 ? result with { Image = value } : result;
                    break;
                case NamespaceKey:
                    result = result with { Namespace = value.Length > 0 ? value : null };
                    break;
                case ReplicasKey:
                    var replicas = ParseValue(key, value, ParseReplicas, "a whole number from 0 to 2147483647");
                    result = result with { Replicas = replicas };
                    break;
                case "requests.ephemeral-storage":
                    // buildx writes this request as a limit; a limits.ephemeral-storage given too wins.
                    if (!limits.ContainsKey("ephemeral-storage"))
                    {
                        limits["ephemeral-storage"] = ParseQuantity(key, value);
                    }

                    break;
                case "limits.ephemeral-storage":
                    limits["ephemeral-storage"] = ParseQuantity(key, value);
                    break;
                case var _ when key.StartsWith(RequestsPrefix, StringComparison.Ordinal) && ResourceNames.Contains(key[RequestsPrefix.Length..]):
                    requests[key[RequestsPrefix.Length..]] = ParseQuantity(key, value);
                    break;
                case var _ when key.StartsWith(LimitsPrefix, StringComparison.Ordinal) && ResourceNames.Contains(key[LimitsPrefix.Length..]):
                    limits[key[LimitsPrefix.Length..]] = ParseQuantity(key, value);
                    break;
                case NodeSelectorKey:
                    result = result with { NodeSelector = ParsePairs(key, value) };
                    break;
                case AnnotationsKey:
                    var annotations = ParsePairs(key, value);
                    if (annotations.ContainsKey(PlatformAnnotation))
                    {
                        throw Invalid(key, value, $"the annotation {PlatformAnnotation} is reserved (the driver sets it from -Platform)", "other annotation keys");
                    }

                    result = result with { Annotations = annotations };
                    break;
                case LabelsKey:
                    var labels = ParsePairs(key, value);
                    if (labels.ContainsKey(AppLabel))
                    {
                        throw Invalid(key, value, $"the label '{AppLabel}' is reserved (the driver selects its pods with it)", "other label keys");
                    }

                    result = result with { Labels = labels };
                    break;
                case TolerationsKey:
                    result = result with { Tolerations = ParseTolerations(value) };
                    break;
                case ServiceAccountKey:
                    result = result with { ServiceAccount = value.Length > 0 ? value : null };
                    break;
                case SchedulerNameKey:
                    result = result with { SchedulerName = value.Length > 0 ? value : null };
                    break;
                case RootlessKey:
                    result = result with { Rootless = ParseValue(key, value, ParseBool, BoolForms) };
                    break;
                case LoadBalanceKey:
                    result = result with
                    {
                        LoadBalance = value is Sticky or Random ? value : throw Invalid(key, value, "not a load-balancing strategy", $"{Sticky} or {Random}"),
                    };
                    break;
                case QemuInstallKey:
                    result = result with { QemuInstall = ParseValue(key, value, ParseBool, BoolForms) };
                    break;
                case QemuImageKey:
                    result = value.Length > 0 ? result with { QemuImage = value } : result;
                    break;
                case PersistentVolumeClaimKey:
                    result = result with { PersistentVolumeClaimStorage = ParseQuantity(key, value) };
                    break;
                case RootVolumeMemoryKey:
                    result = result with { RootVolumeMemory = ParseQuantity(key, value) };
                    break;
                case DefaultLoadKey:
                    result = result with { DefaultLoad = ParseValue(key, value, ParseBool, BoolForms) };
                    break;
                case TimeoutKey:
                    var timeout = PruneFilters.ParseGoDuration(value);
                    result = result with { Timeout = timeout is { } t && t > TimeSpan.Zero ? t : throw Invalid(key, value, "not a positive duration", "a Go duration such as 120s, 5m or 1m30s") };
                    break;
                case var _ when key.StartsWith(EnvPrefix, StringComparison.Ordinal):
                    var name = key[EnvPrefix.Length..];
                    environment[name.Length > 0 ? name : throw Invalid(key, value, "the variable name after 'env.' is empty", "env.NAME=value")] = value;
                    break;
                default:
                    throw UnknownKey(key);
            }
        }

        if (result.Rootless && !imageGiven)
        {
            result = result with { Image = DefaultRootlessImage };
        }

        return result with { Requests = requests, Limits = limits, Environment = environment };
    }

    /// <summary>Whether the workload is a StatefulSet (a volume claim was asked for) rather than a Deployment.</summary>
    public bool UsesStatefulSet => PersistentVolumeClaimStorage is not null;

    private static int ParseReplicas(string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= 0
            ? number
            : throw new FormatException("not a whole number of replicas");

    private static string ParseQuantity(string key, string value)
    {
        try
        {
            _ = new ResourceQuantity(value).ToDecimal();
            return value;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            throw Invalid(key, value, "not a Kubernetes quantity", QuantityForms);
        }
    }

    /// <summary>buildx's <c>splitMultiValues</c>: surrounding quotes trimmed, then <c>k=v</c> pairs split on commas.</summary>
    private static SortedDictionary<string, string> ParsePairs(string key, string value)
    {
        var pairs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.Trim('"').Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = item.Split('=');
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                throw Invalid(key, value, $"invalid key-value pair: {item}", PairForms);
            }

            pairs[parts[0]] = parts[1];
        }

        return pairs;
    }

    /// <summary>buildx's tolerations: entries split on <c>;</c>, fields on <c>,</c>, each <c>name=value</c>.</summary>
    private static V1Toleration[] ParseTolerations(string value)
    {
        var tolerations = new List<V1Toleration>();
        foreach (var entry in value.Trim('"').Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var toleration = new V1Toleration();
            foreach (var field in entry.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = field.Split('=');
                if (parts.Length != 2)
                {
                    // buildx skips such a field silently.
                    continue;
                }

                var (name, text) = (parts[0], parts[1]);
                switch (name)
                {
                    case "key":
                        toleration.Key = text;
                        break;
                    case "value":
                        toleration.Value = text;
                        break;
                    case "operator":
                        toleration.OperatorProperty = Canonical(text, ["Exists", "Equal"], field);
                        break;
                    case "effect":
                        toleration.Effect = Canonical(text, ["NoSchedule", "PreferNoSchedule", "NoExecute"], field);
                        break;
                    case "tolerationSeconds":
                        toleration.TolerationSeconds = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
                            ? seconds
                            : throw Invalid(TolerationsKey, value, $"tolerationSeconds '{text}' is not a whole number", "a number of seconds such as 300");
                        break;
                    default:
                        var suggestion = ClosestMatch.Find(name, TolerationKeys);
                        throw Invalid(TolerationsKey, value, $"invalid toleration field '{name}'{(suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)")}", $"fields {string.Join(", ", TolerationKeys)}");
                }
            }

            tolerations.Add(toleration);
        }

        return [.. tolerations];

        string Canonical(string text, string[] accepted, string field) =>
            accepted.FirstOrDefault(candidate => string.Equals(candidate, text, StringComparison.OrdinalIgnoreCase))
                ?? throw Invalid(TolerationsKey, value, $"'{field}' is not accepted", string.Join(", ", accepted));
    }

    private static T ParseValue<T>(string key, string value, Func<string, T> parse, string accepted)
    {
        try
        {
            return parse(value);
        }
        catch (FormatException ex)
        {
            throw Invalid(key, value, ex.Message, accepted);
        }
    }

    private static bool ParseBool(string value) => GoBool.Parse(value);

    private static BuildxException Invalid(string key, string value, string reason, string accepted) => new(
        ErrorIds.InvalidDriverOption,
        BuildxErrorKind.InvalidArgument,
        $"The kubernetes driver option '{key}' has an invalid value '{value}': {reason}. Expected {accepted}.",
        key);

    private static BuildxException UnknownKey(string key)
    {
        var suggestion = key.StartsWith("env", StringComparison.OrdinalIgnoreCase) && key.Contains('.', StringComparison.Ordinal)
            ? EnvPrefix + key[(key.IndexOf('.', StringComparison.Ordinal) + 1)..]
            : ClosestMatch.Find(key, AcceptedKeys.Where(accepted => !accepted.StartsWith(EnvPrefix, StringComparison.Ordinal)));
        return new BuildxException(
            ErrorIds.UnknownDriverOption,
            BuildxErrorKind.InvalidArgument,
            $"'{key}' is not an option of the kubernetes driver.{(suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?")} Accepted options: {string.Join(", ", AcceptedKeys)}.",
            key);
    }
}
