using System.Text.Json.Serialization;

namespace Buildx.Core.Docker;

/// <summary>The parts of <c>GET /info</c> the module uses.</summary>
public sealed record EngineInfo
{
    /// <summary><c>cgroupfs</c> or <c>systemd</c>; a cgroup parent only applies with <c>cgroupfs</c>.</summary>
    [JsonPropertyName("CgroupDriver")]
    public string? CgroupDriver { get; init; }

    /// <summary>Entries such as <c>name=seccomp,profile=default</c> and <c>name=userns</c>.</summary>
    [JsonPropertyName("SecurityOptions")]
    public IReadOnlyList<string>? SecurityOptions { get; init; }

    [JsonPropertyName("OSType")]
    public string? OSType { get; init; }

    [JsonPropertyName("Architecture")]
    public string? Architecture { get; init; }

    /// <summary>Storage driver facts as pairs, e.g. <c>["driver-type", "io.containerd.snapshotter.v1"]</c>.</summary>
    [JsonPropertyName("DriverStatus")]
    public IReadOnlyList<IReadOnlyList<string>>? DriverStatus { get; init; }

    /// <summary>True when images live in containerd (the snapshotter image store), as buildx checks it.</summary>
    public bool UsesContainerdImageStore => DriverStatus?.Any(pair => pair.Count == 2 && pair[0] == "driver-type" && pair[1] == "io.containerd.snapshotter.v1") == true;

    /// <summary>True when the engine remaps users (<c>name=userns</c>): then builders need <c>UsernsMode=host</c>.</summary>
    public bool HasUsernsRemap => SecurityOptions?.Any(option => option.Split(',').Any(part => part == "name=userns")) == true;
}
