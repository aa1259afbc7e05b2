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

    // Builder management (New-, Remove-, Use-, Start-, Stop-BuildxBuilder, nodes, prune).
    public const string UnknownDriver = "UnknownDriver";
    public const string DriverDoesNotAllowInstances = "DriverDoesNotAllowInstances";
    public const string BuilderNameIsContext = "BuilderNameIsContext";
    public const string BuilderInitializationFailed = "BuilderInitializationFailed";
    public const string ContextBuilderNotRemovable = "ContextBuilderNotRemovable";
    public const string ContextBuilderNotSelectable = "ContextBuilderNotSelectable";
    public const string InvalidEndpoint = "InvalidEndpoint";
    public const string InvalidBuildkitdFlags = "InvalidBuildkitdFlags";
    public const string BuildkitdConfigNotFound = "BuildkitdConfigNotFound";
    public const string BootstrapTimeout = "BootstrapTimeout";
    public const string NodeRemovalFailed = "NodeRemovalFailed";
    public const string InvalidPruneFilter = "InvalidPruneFilter";
    public const string PruneOptionNotSupported = "PruneOptionNotSupported";

    // The docker-container driver and the Engine API calls behind it.
    public const string InvalidDriverOption = "InvalidDriverOption";
    public const string UnknownDriverOption = "UnknownDriverOption";
    public const string EngineCallFailed = "EngineCallFailed";
    public const string ContainerNotFound = "ContainerNotFound";
    public const string ContainerNotRunning = "ContainerNotRunning";
    public const string ContainerNameConflict = "ContainerNameConflict";
    public const string ImageNotFound = "ImageNotFound";
    public const string ImagePullFailed = "ImagePullFailed";
    public const string ExecFailed = "ExecFailed";
    public const string BuildkitImageUnavailable = "BuildkitImageUnavailable";
    public const string BuildkitBootstrapFailed = "BuildkitBootstrapFailed";
    public const string BuildkitVersionUnreadable = "BuildkitVersionUnreadable";

    // The kubernetes driver.
    public const string KubeconfigInvalid = "KubeconfigInvalid";
    public const string KubernetesApiFailed = "KubernetesApiFailed";
    public const string KubernetesPodsNotReady = "KubernetesPodsNotReady";
    public const string KubernetesNoRunningPod = "KubernetesNoRunningPod";
    public const string KubernetesExecFailed = "KubernetesExecFailed";
    public const string NotKubernetesBuilder = "NotKubernetesBuilder";
    public const string ManifestFileExists = "ManifestFileExists";

    // Registries (multi-platform index assembly).
    public const string InvalidImageReference = "InvalidImageReference";
    public const string RegistryUnreachable = "RegistryUnreachable";
    public const string RegistryUnauthorized = "RegistryUnauthorized";
    public const string RegistryObjectNotFound = "RegistryObjectNotFound";
    public const string RegistryCallFailed = "RegistryCallFailed";
    public const string DuplicatePlatform = "DuplicatePlatform";
    public const string PlatformNotSupported = "PlatformNotSupported";

    // Exporters and registries (Invoke-BuildxBuild outputs, New-BuildxOutput, logins).
    public const string OutputNotSupported = "OutputNotSupported";
    public const string ImagePushFailed = "ImagePushFailed";
    public const string RegistryCredentialsUnavailable = "RegistryCredentialsUnavailable";
    public const string InvalidCredential = "InvalidCredential";
    // The rest of the build surface (Invoke-BuildxBuild -Secret, -Ssh, -CacheFrom/-CacheTo, ...).
    public const string InvalidSecret = "InvalidSecret";
    public const string SecretSourceNotFound = "SecretSourceNotFound";
    public const string InvalidSsh = "InvalidSsh";
    public const string SshAgentUnavailable = "SshAgentUnavailable";
    public const string SshKeyInvalid = "SshKeyInvalid";
    public const string SshKeyNotSupported = "SshKeyNotSupported";
    public const string SshKeyPassphraseRequired = "SshKeyPassphraseRequired";
    public const string SshKeyPassphraseIncorrect = "SshKeyPassphraseIncorrect";
    public const string InvalidCacheOption = "InvalidCacheOption";
    public const string CacheExportNotSupported = "CacheExportNotSupported";
    public const string InvalidUlimit = "InvalidUlimit";
    public const string InvalidAddHost = "InvalidAddHost";
    public const string InvalidBuildContext = "InvalidBuildContext";
    public const string InvalidAttestation = "InvalidAttestation";
    public const string InvalidAnnotation = "InvalidAnnotation";
    public const string InvalidEntitlement = "InvalidEntitlement";

    // The remote driver: BuildKit addresses, TLS, and the connection helpers.
    public const string RemoteEndpointRequired = "RemoteEndpointRequired";
    public const string RemoteSchemeNotSupported = "RemoteSchemeNotSupported";
    public const string RemoteDriverSettingNotSupported = "RemoteDriverSettingNotSupported";
    public const string TlsFileUnreadable = "TlsFileUnreadable";
    public const string TlsUnknownAuthority = "TlsUnknownAuthority";
    public const string TlsNameMismatch = "TlsNameMismatch";
    public const string TlsCertificateExpired = "TlsCertificateExpired";
    public const string TlsClientCertificateRefused = "TlsClientCertificateRefused";
    public const string TlsServerPlaintext = "TlsServerPlaintext";
    public const string TlsHandshakeFailed = "TlsHandshakeFailed";
}
