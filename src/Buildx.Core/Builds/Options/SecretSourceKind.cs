namespace Buildx.Core.Builds.Options;

/// <summary>Where a build secret's bytes come from when the daemon asks for them.</summary>
public enum SecretSourceKind
{
    File,
    Environment,
    Value,
}
