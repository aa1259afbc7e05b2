namespace Buildx.Core.Errors;

/// <summary>The stable error ids the module raises. Renaming one is a breaking change.</summary>
public static class ErrorIds
{
    public const string EngineUnreachable = "EngineUnreachable";
    public const string EngineUpgradeRefused = "EngineUpgradeRefused";
    public const string InvalidDockerHost = "InvalidDockerHost";
    public const string UnsupportedDockerHostScheme = "UnsupportedDockerHostScheme";
    public const string DockerContextNotFound = "DockerContextNotFound";
    public const string DockerConfigInvalid = "DockerConfigInvalid";
    public const string BuilderNotFound = "BuilderNotFound";
    public const string BuildkitUnreachable = "BuildkitUnreachable";
    public const string BuildkitCallFailed = "BuildkitCallFailed";
    public const string NodeStatusTimeout = "NodeStatusTimeout";
    public const string DriverNotSupported = "DriverNotSupported";
    public const string NodeNotRunning = "NodeNotRunning";
    public const string InvalidOutput = "InvalidOutput";
    public const string InvalidBuildArgument = "InvalidBuildArgument";
    public const string BuildContextNotFound = "BuildContextNotFound";
    public const string DockerfileNotFound = "DockerfileNotFound";
    public const string BuildFailed = "BuildFailed";
    public const string DockerfileInvalid = "DockerfileInvalid";
    public const string ExportFailed = "ExportFailed";
    public const string SessionFailed = "SessionFailed";

    // The builder store (instances/, current, defaults/ under the buildx directory).
    public const string InvalidBuilderName = "InvalidBuilderName";
    public const string ReservedBuilderName = "ReservedBuilderName";
    public const string BuilderExists = "BuilderExists";
    public const string BuilderDriverMismatch = "BuilderDriverMismatch";
    public const string BuilderNameGenerationFailed = "BuilderNameGenerationFailed";
    public const string NodeNotFound = "NodeNotFound";
    public const string DuplicateEndpoint = "DuplicateEndpoint";
    public const string LastNodeCannotLeave = "LastNodeCannotLeave";
    public const string DynamicBuilderImmutable = "DynamicBuilderImmutable";
    public const string InvalidPlatform = "InvalidPlatform";
    public const string StoreLocked = "StoreLocked";
    public const string StoreCorrupt = "StoreCorrupt";
}
