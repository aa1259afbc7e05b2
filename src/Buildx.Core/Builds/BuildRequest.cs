using Buildx.Core.Builds.Options;
using Buildx.Core.Exports;
using Buildx.Core.Registry;

namespace Buildx.Core.Builds;

/// <summary>Everything a build needs, already typed and checked by the caller.</summary>
public sealed record BuildRequest
{
    /// <summary>The build context directory.</summary>
    public required string ContextPath { get; init; }

    /// <summary>The Dockerfile; defaults to <c>Dockerfile</c> in the context.</summary>
    public string? DockerfilePath { get; init; }

    public string? Target { get; init; }

    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Tags { get; init; } = [];

    public bool NoCache { get; init; }

    /// <summary>Target platforms (<c>-Platform</c>); on a builder with several nodes each goes to the node that can build it.</summary>
    public IReadOnlyList<string> Platforms { get; init; } = [];

    public IReadOnlyList<ExportSpec> Outputs { get; init; } = [];

    /// <summary><c>-Load</c>: also load the image into the Docker engine (a <c>docker</c> output).</summary>
    public bool Load { get; init; }

    /// <summary><c>-Push</c>: push every image output, or add one that pushes.</summary>
    public bool Push { get; init; }

    /// <summary>Registry logins given explicitly, by registry address; they win over the Docker config's.</summary>
    public IReadOnlyDictionary<string, RegistryCredential> RegistryCredentials { get; init; } = new Dictionary<string, RegistryCredential>();

    /// <summary>The caller's current directory (PowerShell's location), for buildx's mode=delete guard; the process's when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Where <c>dest=-</c> tarballs go; null when there is no such stream.</summary>
    public Stream? StandardOutput { get; init; }

    /// <summary>Cache, secrets, SSH, annotations, attestations, RUN-step settings, named contexts, pull.</summary>
    public BuildOptions Options { get; init; } = BuildOptions.None;
}
