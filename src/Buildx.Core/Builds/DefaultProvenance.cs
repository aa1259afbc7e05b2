using Buildx.Core.Builds.Options;
using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Text;

namespace Buildx.Core.Builds;

/// <summary>
/// buildx attaches a minimal provenance attestation to every build whose daemon has image
/// attestations and whose driver builds multi-platform images, unless the build names a provenance
/// attestation itself (-Provenance, -Attest type=provenance, even disabled) or
/// <c>BUILDX_NO_DEFAULT_ATTESTATIONS</c> is true. <c>inline-only</c> keeps it to the exporters that
/// carry attestations inside the image (image, registry, oci, docker), not local or tar files.
/// </summary>
public static class DefaultProvenance
{
    public const string Attribute = "attest:provenance";
    public const string Value = "mode=min,inline-only=true";
    public const string DisableVariable = "BUILDX_NO_DEFAULT_ATTESTATIONS";

    /// <summary>Whether the default could apply before the daemon is asked (no Info call otherwise).</summary>
    public static bool IsCandidate(BuildOptions options, string driver, bool engineImageStore, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        // The docker driver builds multi-platform images only on the containerd image store.
        var multiPlatform = driver != DockerDriver.DriverName || engineImageStore;
        return multiPlatform
            && !AttestationSpecParser.Types(options.Attestations).Contains("provenance")
            && !Disabled(environment);
    }

    private static bool Disabled(IEnvironment environment)
    {
        var value = environment.GetVariable(DisableVariable);
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        return GoBool.TryParse(value, out var disabled)
            ? disabled
            : throw new Errors.BuildxException(Errors.ErrorIds.InvalidAttestation, Errors.BuildxErrorKind.InvalidArgument,
                $"{DisableVariable}='{value}' is not a boolean (true or false).", value);
    }
}
