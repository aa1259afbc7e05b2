using Buildx.Core.Session.Grpc;
using Buildx.Core.Session.Http2;
using Buildx.Core.Transport;

namespace Buildx.Core.Session;

/// <summary>
/// Opens a session tunnel through <c>/moby.buildkit.v1.Control/Session</c> on a connection of its own,
/// with this module's HTTP/2 client rather than grpc-dotnet: BuildKit wants one
/// <c>x-docker-expose-session-grpc-method</c> header field per served method, and grpc-dotnet's
/// HTTP stack joins repeated fields into one (which BuildKit reads as one unknown method, failing
/// builds with "no local sources enabled"). Drivers without a session upgrade of their own use this.
/// </summary>
internal static class ControlSessionTunnel
{
    public const string SessionMethodPath = "/moby.buildkit.v1.Control/Session";

    private const string CallName = "Control.Session";
    private const string UserAgent = "Buildx.PowerShell";

    /// <summary>
    /// Dials a new connection with <paramref name="dialer"/> and starts the call with
    /// <paramref name="headers"/> as metadata, each its own lower-cased field, repeats and order kept.
    /// Returns the tunnel; writes become messages, reads return the daemon's. Disposing it closes the
    /// connection; <paramref name="cancellationToken"/> covers the opening only.
    /// </summary>
    internal static async Task<Stream> OpenAsync(
        StreamDialer dialer,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dialer);
        ArgumentNullException.ThrowIfNull(headers);
        var fields = RequestFields(headers);
        var transport = await dialer(cancellationToken).ConfigureAwait(false);
        var response = new BytesMessageResponse(CallName);
        var connection = await Http2ClientConnection.OpenAsync(transport, fields, response, cancellationToken).ConfigureAwait(false);
        return new ControlSessionStream(connection, response);
    }

    /// <summary>The request's header fields: gRPC's pseudo-headers and fixed fields, then the metadata.</summary>
    internal static List<KeyValuePair<string, string>> RequestFields(IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        var fields = new List<KeyValuePair<string, string>>(7 + metadata.Count)
        {
            new(":method", "POST"),
            new(":scheme", "http"),
            new(":path", SessionMethodPath),
            // Never resolved: the dialer decides where the bytes go.
            new(":authority", "buildkit"),
            new("content-type", "application/grpc"),
            new("te", "trailers"),
            new("user-agent", UserAgent),
        };
        foreach (var (key, value) in metadata)
        {
            var name = key.ToLowerInvariant();
            if (!IsValidName(name))
            {
                throw new ArgumentException($"'{key}' cannot be a gRPC metadata key.", nameof(metadata));
            }

            if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                throw new ArgumentException($"The value of metadata '{key}' contains a line break or NUL.", nameof(metadata));
            }

            fields.Add(new(name, value));
        }

        return fields;
    }

    /// <summary>gRPC metadata keys: 0-9 a-z _ - . (and no pseudo-header or reserved grpc- names).</summary>
    private static bool IsValidName(string name) =>
        name.Length > 0
        && !name.StartsWith("grpc-", StringComparison.Ordinal)
        && name.All(static c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '.');
}
