using System.Text.Json.Serialization;

namespace Buildx.Core.Docker;

/// <summary>
/// A container's <c>HostConfig</c>: sent on create, read back from inspect. Only the fields the
/// drivers use; null fields are not sent.
/// </summary>
public sealed record ContainerHostConfig
{
    [JsonPropertyName("Privileged")]
    public bool Privileged { get; init; }

    /// <summary>Runs an init process as PID 1, which reaps what BuildKit's own containers leave behind.</summary>
    [JsonPropertyName("Init")]
    public bool? Init { get; init; }

    [JsonPropertyName("RestartPolicy")]
    public ContainerRestartPolicy? RestartPolicy { get; init; }

    [JsonPropertyName("Mounts")]
    public IReadOnlyList<ContainerMount>? Mounts { get; init; }

    /// <summary><c>source:target[:options]</c> bind mounts.</summary>
    [JsonPropertyName("Binds")]
    public IReadOnlyList<string>? Binds { get; init; }

    [JsonPropertyName("NetworkMode")]
    public string? NetworkMode { get; init; }

    [JsonPropertyName("Memory")]
    public long Memory { get; init; }

    [JsonPropertyName("MemorySwap")]
    public long MemorySwap { get; init; }

    [JsonPropertyName("CpuQuota")]
    public long CpuQuota { get; init; }

    [JsonPropertyName("CpuPeriod")]
    public long CpuPeriod { get; init; }

    [JsonPropertyName("CpuShares")]
    public long CpuShares { get; init; }

    [JsonPropertyName("CpusetCpus")]
    public string? CpusetCpus { get; init; }

    [JsonPropertyName("CpusetMems")]
    public string? CpusetMems { get; init; }

    [JsonPropertyName("CgroupParent")]
    public string? CgroupParent { get; init; }

    [JsonPropertyName("UsernsMode")]
    public string? UsernsMode { get; init; }

    [JsonPropertyName("CapAdd")]
    public IReadOnlyList<string>? CapAdd { get; init; }

    [JsonPropertyName("CapDrop")]
    public IReadOnlyList<string>? CapDrop { get; init; }

    [JsonPropertyName("SecurityOpt")]
    public IReadOnlyList<string>? SecurityOpt { get; init; }
}
