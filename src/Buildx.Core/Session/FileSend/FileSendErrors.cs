using System.Globalization;
using System.Text;
using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.FileSend;

/// <summary>The statuses an export stream fails with; every message names the entry at fault.</summary>
internal static class FileSendErrors
{
    /// <summary>The entry would land outside the destination (or on a device): PermissionDenied.</summary>
    public static GrpcStatusException Refused(string entry, string reason) =>
        new(StatusCode.PermissionDenied, $"refusing export entry {Quote(entry)}: {reason}");

    /// <summary>The entry is malformed but not an escape: InvalidArgument.</summary>
    public static GrpcStatusException Invalid(string entry, string reason) =>
        new(StatusCode.InvalidArgument, $"invalid export entry {Quote(entry)}: {reason}");

    /// <summary>The daemon broke the fsutil packet sequence: InvalidArgument.</summary>
    public static GrpcStatusException Protocol(string message) =>
        new(StatusCode.InvalidArgument, "fsutil protocol violation: " + message);

    /// <summary>Writing to the local file system failed.</summary>
    public static GrpcStatusException WriteFailed(string what, Exception error) =>
        new(StatusCode.Unknown, $"failed to write {what}: {error.Message}");

    /// <summary>Quotes a daemon-supplied name so control characters (NUL) show instead of cutting the message.</summary>
    public static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                case < ' ' or '\u007f':
                    quoted.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    break;
                default:
                    quoted.Append(c);
                    break;
            }
        }

        return quoted.Append('"').ToString();
    }
}
