using System.Security.Cryptography.X509Certificates;

namespace Buildx.Core.Builders;

/// <summary>
/// What <c>New-BuildxBuilder</c> and <c>Add-BuildxBuilderNode</c> ask for: the arguments of
/// buildx's <c>create</c>. Null means "not given": buildx's defaults apply, and an existing node's
/// value is kept.
/// </summary>
public sealed record CreateBuilderRequest
{
    /// <summary>The builder's name; null picks a random one, as buildx does.</summary>
    public string? Name { get; init; }

    /// <summary>null picks one as buildx does: the builder's own, else remote for a BuildKit address, else docker-container.</summary>
    public string? Driver { get; init; }

    /// <summary>Options as given (see <see cref="Drivers.DriverOptionInput"/>); normalized and checked against the driver.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? DriverOptions { get; init; }

    /// <summary>The node to create or change; null picks the next free <c>&lt;builder&gt;N</c>.</summary>
    public string? NodeName { get; init; }

    public IReadOnlyList<string>? Platforms { get; init; }

    /// <summary>A Docker context name or a docker host URL; null is the current Docker context.</summary>
    public string? Endpoint { get; init; }

    /// <summary>kubernetes driver: the kubeconfig file (stored in the endpoint as buildx stores KUBECONFIG); null uses KUBECONFIG.</summary>
    public string? KubeConfig { get; init; }

    /// <summary>kubernetes driver: the kubeconfig context; null uses its current context.</summary>
    public string? KubeContext { get; init; }

    /// <summary>buildkitd flags; each string is shell-split.</summary>
    public IReadOnlyList<string>? BuildkitdFlags { get; init; }

    /// <summary>A buildkitd TOML config file (a full path).</summary>
    public string? BuildkitdConfigPath { get; init; }

    /// <summary>buildx's <c>--append</c>: add a node to an existing builder.</summary>
    public bool Append { get; init; }

    /// <summary>Make it the current builder for the current Docker endpoint.</summary>
    public bool Use { get; init; }

    /// <summary>Start every node after saving; a failure rolls the change back.</summary>
    public bool Bootstrap { get; init; }

    /// <summary>Remote driver: the CA to trust, written as PEM under the store and named by <c>cacert</c>.</summary>
    public X509Certificate2? CaCertificate { get; init; }

    /// <summary>Remote driver: the client certificate with its private key, written as PEM and named by <c>cert</c> and <c>key</c>.</summary>
    public X509Certificate2? ClientCertificate { get; init; }
}
