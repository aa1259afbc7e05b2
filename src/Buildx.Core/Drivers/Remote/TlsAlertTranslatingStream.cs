using System.Security.Authentication;
using Buildx.Core.Errors;
using Buildx.Core.Transport;

namespace Buildx.Core.Drivers.Remote;

/// <summary>
/// A TLS stream that explains a server refusing the client certificate. Under TLS 1.3 the server
/// judges the certificate after the client's side of the handshake is done, so the refusal comes
/// later: as a certificate alert on the first read (Go's buildkitd), or as the connection closed
/// before a single byte (servers that send no alert), which then fails the first writes too.
/// </summary>
internal sealed class TlsAlertTranslatingStream(Stream tls, bool serverRequestedCertificate, Func<string, BuildxException> refused) : FailureTranslatingStream(tls)
{
    private const string ClosedAfterHandshake = "the server closed the connection right after the handshake, sending no alert";

    private bool received;

    protected override Exception? Translate(Exception failure) =>
        failure is IOException or AuthenticationException or ObjectDisposedException ? Explain(failure) : null;

    protected override int AfterRead(Memory<byte> buffer, int read)
    {
        if (read == 0 && buffer.Length > 0 && !received && serverRequestedCertificate)
        {
            throw Refused(ClosedAfterHandshake);
        }

        received |= read > 0;
        return read;
    }

    /// <summary>The refusal behind a failure: a certificate alert, or a connection lost before any byte came back.</summary>
    private IOException? Explain(Exception ex) =>
        TlsConnector.AlertOf(ex) is { } alert ? Refused($"TLS alert: {alert}")
        : !received && serverRequestedCertificate ? Refused(ClosedAfterHandshake)
        : null;

    /// <summary>Wrapped in an IOException, as HTTP/2 expects of a stream; callers find the cause inside.</summary>
    private IOException Refused(string evidence)
    {
        var error = refused(evidence);
        return new IOException(error.Message, error);
    }
}
