namespace Buildx.Core.Errors;

/// <summary>
/// What kind of failure an error is. The PowerShell layer maps each kind to an ErrorCategory;
/// the core keeps its own enum so it needs no PowerShell reference.
/// </summary>
public enum BuildxErrorKind
{
    InvalidArgument,
    ObjectNotFound,
    ConnectionError,
    OperationTimeout,
    InvalidOperation,
    NotImplemented,
    ProtocolError,
    PermissionDenied,
    ResourceUnavailable,
    OperationStopped,
}
