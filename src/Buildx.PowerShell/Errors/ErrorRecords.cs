using System.Management.Automation;
using Buildx.Core.Errors;

namespace Buildx.PowerShell.Errors;

/// <summary>Turns the core's errors into ErrorRecords with stable ids and fitting categories.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(BuildxException exception) =>
        new(exception, exception.ErrorId, CategoryOf(exception.Kind), exception.Target);

    public static ErrorCategory CategoryOf(BuildxErrorKind kind) => kind switch
    {
        BuildxErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        BuildxErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        BuildxErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        BuildxErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        BuildxErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        BuildxErrorKind.NotImplemented => ErrorCategory.NotImplemented,
        BuildxErrorKind.ProtocolError => ErrorCategory.ProtocolError,
        BuildxErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        BuildxErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        BuildxErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        _ => ErrorCategory.NotSpecified,
    };
}
