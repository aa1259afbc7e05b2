using System.Globalization;
using Buildx.Core.Docker;
using Buildx.Core.Errors;
using Buildx.Core.Text;

namespace Buildx.Core.Drivers;

/// <summary>
/// The docker-container driver's options (<c>--driver-opt</c>), with buildx's keys, parsing and
/// defaults (<c>driver/docker-container/factory.go</c>), plus <c>privileged</c> (see <see cref="Privileged"/>).
/// </summary>
public sealed record DockerContainerDriverOptions
{
    public const string DefaultImage = "moby/buildkit:buildx-stable-1";

    public const string ImageKey = "image";
    public const string NetworkKey = "network";
    public const string MemoryKey = "memory";
    public const string MemorySwapKey = "memory-swap";
    public const string CpuQuotaKey = "cpu-quota";
    public const string CpuPeriodKey = "cpu-period";
    public const string CpuSharesKey = "cpu-shares";
    public const string CpusetCpusKey = "cpuset-cpus";
    public const string CpusetMemsKey = "cpuset-mems";
    public const string CgroupParentKey = "cgroup-parent";
    public const string RestartPolicyKey = "restart-policy";
    public const string DefaultLoadKey = "default-load";
    public const string ProvenanceAddGhaKey = "provenance-add-gha";
    public const string AllowUntrustedImageKey = "allow-untrusted-image";
    public const string PrivilegedKey = "privileged";
    public const string EnvPrefix = "env.";

    private const string BoolForms = "true or false (also 1, t, T, TRUE, True, 0, f, F, FALSE, False)";
    private const string IntegerForms = "a whole number (64-bit)";

    /// <summary>The options the driver declares: key, kind of value, default and effect (buildx's, plus <c>privileged</c>).</summary>
    public static IReadOnlyList<DriverOptionDescriptor> Declared { get; } =
    [
        new(ImageKey, "image reference", DefaultImage, "The BuildKit image."),
        new(NetworkKey, "network mode", null, "The container's network mode, such as host (which also allows the network.host entitlement)."),
        new(MemoryKey, "size", null, "Memory limit, such as 512m or 1g (a number is bytes)."),
        new(MemorySwapKey, "size", null, "Memory plus swap limit; -1 is unlimited swap."),
        new(CpuQuotaKey, "integer", null, "CPU CFS quota in microseconds per period."),
        new(CpuPeriodKey, "integer", null, "CPU CFS period in microseconds."),
        new(CpuSharesKey, "integer", null, "Relative CPU weight."),
        new(CpusetCpusKey, "CPU list", null, "The CPUs BuildKit may use, such as 0-1."),
        new(CpusetMemsKey, "memory node list", null, "The memory nodes BuildKit may use."),
        new(CgroupParentKey, "cgroup path", DockerContainerDriver.DefaultCgroupParent, "The cgroup parent; only used when the engine's cgroup driver is cgroupfs."),
        new(RestartPolicyKey, "restart policy", ContainerRestartPolicy.UnlessStopped, "no, always, unless-stopped, on-failure or on-failure:<max-retries>."),
        new(DefaultLoadKey, "boolean", "false", "Load build results into the engine's image store by default."),
        new(EnvPrefix, "string", null, "An environment variable for BuildKit, such as env.BUILDKIT_STEP_LOG_MAX_SIZE=-1."),
        new(ProvenanceAddGhaKey, "boolean", "true", "Accepted for buildx compatibility; changes nothing yet."),
        new(AllowUntrustedImageKey, "boolean", "false", "Accepted for buildx compatibility; changes nothing yet."),
        new(PrivilegedKey, "boolean", "true", "This module's own: false runs BuildKit unprivileged (buildx rejects the key)."),
    ];

    /// <summary>Every key the driver accepts, for messages; <c>env.&lt;NAME&gt;</c> stands for the env keys.</summary>
    public static IReadOnlyList<string> AcceptedKeys { get; } = Declared.Select(option => option.DisplayKey).ToArray();

    /// <summary>The BuildKit image; an empty value means the default, as in buildx.</summary>
    public string Image { get; init; } = DefaultImage;

    /// <summary><c>HostConfig.NetworkMode</c>; null leaves the engine's default.</summary>
    public string? Network { get; init; }

    /// <summary>Memory limit in bytes; 0 means none.</summary>
    public long Memory { get; init; }

    /// <summary>Memory plus swap limit in bytes; -1 means unlimited swap, 0 the engine's default.</summary>
    public long MemorySwap { get; init; }

    public long CpuQuota { get; init; }

    public long CpuPeriod { get; init; }

    public long CpuShares { get; init; }

    public string? CpusetCpus { get; init; }

    public string? CpusetMems { get; init; }

    /// <summary>
    /// The cgroup parent. As in buildx it only applies when the engine uses the <c>cgroupfs</c>
    /// cgroup driver, and then defaults to <c>/docker/buildx</c>.
    /// </summary>
    public string? CgroupParent { get; init; }

    public ContainerRestartPolicy RestartPolicy { get; init; } = new(ContainerRestartPolicy.UnlessStopped);

    /// <summary>Container environment from <c>env.NAME=value</c> options, as <c>NAME=value</c> entries sorted by name.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>Whether builds load their result into the engine's image store by default.</summary>
    public bool DefaultLoad { get; init; }

    /// <summary>Accepted for buildx compatibility; the GitHub Actions context file is not written yet.</summary>
    public bool ProvenanceAddGha { get; init; } = true;

    /// <summary>Accepted for buildx compatibility; there is no image verification to skip yet (buildx's is off by default too).</summary>
    public bool AllowUntrustedImage { get; init; }

    /// <summary>
    /// Not a buildx option. True (the default, as in buildx) runs BuildKit in a privileged
    /// container. <c>privileged=false</c> runs it with every capability but CAP_SYS_RESOURCE,
    /// seccomp and AppArmor unconfined and <c>/sys/fs/cgroup</c> bound read-write: enough for
    /// BuildKit on hosts that cannot start privileged containers (some CI sandboxes). buildx itself
    /// rejects this key, so builders that use it are for this module only.
    /// </summary>
    public bool Privileged { get; init; } = true;

    /// <summary>
    /// Extra <c>source:target[:options]</c> binds. Test hook, not a driver option: the BuildKit
    /// stand-in image reaches the engine's BuildKit through the engine socket bound into it. Set by
    /// tests directly, or from <see cref="DriverFactory.TestContainerBindsVariable"/>.
    /// </summary>
    internal IReadOnlyList<string> ExtraBinds { get; init; } = [];

    /// <summary>Parses stored driver options; every value is checked before anything is created.</summary>
    /// <exception cref="BuildxException"><see cref="ErrorIds.UnknownDriverOption"/> or <see cref="ErrorIds.InvalidDriverOption"/>, naming the key.</exception>
    public static DockerContainerDriverOptions Parse(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new DockerContainerDriverOptions();
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);

        // Sorted, so that with several bad options the same one is reported every time.
        foreach (var (key, value) in options.OrderBy(option => option.Key, StringComparer.Ordinal))
        {
            result = key switch
            {
                ImageKey => result with { Image = value.Length > 0 ? value : DefaultImage },
                NetworkKey => result with { Network = NullIfEmpty(value) },
                MemoryKey => result with { Memory = ParseValue(key, value, DockerMemoryBytes.Parse, DockerMemoryBytes.AcceptedForms) },
                MemorySwapKey => result with { MemorySwap = ParseValue(key, value, DockerMemoryBytes.ParseSwap, DockerMemoryBytes.AcceptedForms + ", or -1 for unlimited swap") },
                CpuQuotaKey => result with { CpuQuota = ParseValue(key, value, ParseInt64, IntegerForms) },
                CpuPeriodKey => result with { CpuPeriod = ParseValue(key, value, ParseInt64, IntegerForms) },
                CpuSharesKey => result with { CpuShares = ParseValue(key, value, ParseInt64, IntegerForms) },
                CpusetCpusKey => result with { CpusetCpus = NullIfEmpty(value) },
                CpusetMemsKey => result with { CpusetMems = NullIfEmpty(value) },
                CgroupParentKey => result with { CgroupParent = NullIfEmpty(value) },
                RestartPolicyKey => result with { RestartPolicy = ParseValue(key, value, ContainerRestartPolicy.Parse, ContainerRestartPolicy.AcceptedForms) },
                DefaultLoadKey => result with { DefaultLoad = ParseValue(key, value, ParseBool, BoolForms) },
                ProvenanceAddGhaKey => result with { ProvenanceAddGha = ParseValue(key, value, ParseBool, BoolForms) },
                AllowUntrustedImageKey => result with { AllowUntrustedImage = ParseValue(key, value, ParseBool, BoolForms) },
                PrivilegedKey => result with { Privileged = ParseValue(key, value, ParseBool, BoolForms) },
                _ when key.StartsWith(EnvPrefix, StringComparison.Ordinal) => AddEnvironment(result, environment, key, value),
                _ => throw UnknownKey(key),
            };
        }

        return result;
    }

    private static DockerContainerDriverOptions AddEnvironment(DockerContainerDriverOptions result, SortedDictionary<string, string> environment, string key, string value)
    {
        var name = key[EnvPrefix.Length..];
        if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal))
        {
            throw Invalid(key, value, "the variable name after 'env.' is empty or contains '='", "env.NAME=value, such as env.BUILDKIT_STEP_LOG_MAX_SIZE=-1");
        }

        environment[name] = value;
        return result with { Environment = environment.Select(pair => $"{pair.Key}={pair.Value}").ToArray() };
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

    /// <summary>Go's <c>strconv.ParseInt(s, 10, 64)</c>: an optional sign and decimal digits, nothing else.</summary>
    private static long ParseInt64(string value)
        => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException("not a whole number in the 64-bit range");

    /// <summary>Go's <c>strconv.ParseBool</c>, which buildx uses: exactly these spellings.</summary>
    private static bool ParseBool(string value) => GoBool.Parse(value);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static BuildxException Invalid(string key, string value, string reason, string accepted) => new(
        ErrorIds.InvalidDriverOption,
        BuildxErrorKind.InvalidArgument,
        $"The docker-container driver option '{key}' has an invalid value '{value}': {reason}. Expected {accepted}.",
        key);

    private static BuildxException UnknownKey(string key)
    {
        var suggestion = Suggest(key);
        return new BuildxException(
            ErrorIds.UnknownDriverOption,
            BuildxErrorKind.InvalidArgument,
            $"'{key}' is not an option of the docker-container driver.{(suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?")} Accepted options: {string.Join(", ", AcceptedKeys)}.",
            key);
    }

    private static string? Suggest(string key)
    {
        // "environment.FOO" or "ENV.FOO" most likely meant an env option for FOO.
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && dot < key.Length - 1
            && (key.StartsWith("env", StringComparison.OrdinalIgnoreCase) || ClosestMatch.Find(key[..dot], ["env"]) is not null))
        {
            return EnvPrefix + key[(dot + 1)..];
        }

        if (key is "env" or "environment")
        {
            return EnvPrefix + "<NAME>";
        }

        return ClosestMatch.Find(key, AcceptedKeys.Where(accepted => !accepted.StartsWith(EnvPrefix, StringComparison.Ordinal)));
    }
}
