using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Buildx.Core.Errors;

namespace Buildx.Core.Drivers.Remote;

/// <summary>
/// Wraps a dialed connection in TLS as buildx's remote driver does (no ALPN; gRPC runs over the
/// TLS stream), and turns every way the handshake can fail into an error that names the check:
/// unknown CA, name mismatch, expired certificate, client certificate refused, plaintext server.
/// </summary>
public static class TlsConnector
{
    public static async Task<Stream> AuthenticateAsync(Stream connection, TlsClientSettings settings, string endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(settings);
        var recorder = new HandshakeRecordingStream(connection);
        var tls = new SslStream(recorder, leaveInnerStreamOpen: false);
        BuildxException? verificationFailure = null;
        var certificateRequested = false;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = settings.ServerName,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                verificationFailure = Verify(certificate, errors, settings, endpoint);
                return verificationFailure is null;
            },
        };
        // Called when the server asks for a client certificate. Ours is always offered: a server
        // that refuses it should say so, rather than see no certificate at all.
        var client = settings.ClientCertificate;
        if (client is not null)
        {
            options.ClientCertificates = [client];
        }

        options.LocalCertificateSelectionCallback = (_, _, _, _, acceptableIssuers) =>
        {
            certificateRequested |= acceptableIssuers is not null;
            return client!;
        };

        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw verificationFailure ?? HandshakeFailure(ex, recorder, certificateRequested, settings, endpoint);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // Under TLS 1.3 the server judges the client certificate after the client's handshake is
        // done: a refusal arrives as an alert on the first read.
        // A server that asked for (or was given) a client certificate and then closes before a
        // single byte has refused it: a BuildKit daemon otherwise waits for the HTTP/2 preface.
        return new TlsAlertTranslatingStream(tls, certificateRequested || client is not null, evidence => ClientRefused(evidence, settings, endpoint));
    }

    /// <summary>The checks in Go's order: validity dates, then the chain to the given CA, then the name.</summary>
    private static BuildxException? Verify(X509Certificate? presented, SslPolicyErrors errors, TlsClientSettings settings, string endpoint)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return new BuildxException(ErrorIds.TlsHandshakeFailed, BuildxErrorKind.ConnectionError, $"TLS with {endpoint} failed: the server sent no certificate.", endpoint);
        }

        using var certificate = new X509Certificate2(presented);
        var now = DateTime.Now;
        if (now > certificate.NotAfter || now < certificate.NotBefore)
        {
            return new BuildxException(
                ErrorIds.TlsCertificateExpired,
                BuildxErrorKind.ConnectionError,
                $"TLS with {endpoint} failed: the server's certificate '{certificate.Subject}' "
                + (now > certificate.NotAfter ? $"expired on {certificate.NotAfter.ToUniversalTime():u}" : $"is not valid before {certificate.NotBefore.ToUniversalTime():u}")
                + ". Renew the daemon's certificate (or check this machine's clock).",
                endpoint);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(settings.Authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (!chain.Build(certificate))
        {
            var statuses = chain.ChainStatus.Select(s => s.Status).Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s);
            if ((statuses & X509ChainStatusFlags.NotTimeValid) != 0)
            {
                return new BuildxException(
                    ErrorIds.TlsCertificateExpired,
                    BuildxErrorKind.ConnectionError,
                    $"TLS with {endpoint} failed: a certificate in the server's chain ('{certificate.Issuer}' or above) has expired or is not yet valid. Renew it.",
                    endpoint);
            }

            if ((statuses & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            {
                return new BuildxException(
                    ErrorIds.TlsUnknownAuthority,
                    BuildxErrorKind.ConnectionError,
                    $"TLS with {endpoint} failed: the server's certificate '{certificate.Subject}' is signed by an unknown authority ('{certificate.Issuer}'), not by the CA in cacert ({string.Join(", ", settings.Authorities.Select(a => $"'{a.Subject}'"))}). Give the CA that signed the daemon's certificate as cacert (or -CACertificate).",
                    endpoint);
            }

            return new BuildxException(
                ErrorIds.TlsHandshakeFailed,
                BuildxErrorKind.ConnectionError,
                $"TLS with {endpoint} failed: the server's certificate '{certificate.Subject}' did not verify: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))}.",
                endpoint);
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
                .SelectMany(san => san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())))
                .ToArray();
            return new BuildxException(
                ErrorIds.TlsNameMismatch,
                BuildxErrorKind.ConnectionError,
                $"TLS with {endpoint} failed: the server's certificate is not valid for the name '{settings.ServerName}'; it is for {(names.Length > 0 ? string.Join(", ", names) : $"'{certificate.Subject}'")}. Connect by one of those names, or give servername=<one of them> (or -ServerName).",
                endpoint);
        }

        return null;
    }

    private static BuildxException HandshakeFailure(Exception ex, HandshakeRecordingStream recorder, bool certificateRequested, TlsClientSettings settings, string endpoint)
    {
        if (recorder.RecordedCount == 0)
        {
            return new BuildxException(
                ErrorIds.TlsServerPlaintext,
                BuildxErrorKind.ConnectionError,
                $"TLS with {endpoint} failed: the server closed the connection without answering the TLS handshake, so it does not speak TLS there (a plaintext endpoint?). Remove the TLS options (cacert, cert, key, servername) for a plaintext daemon, or point at the daemon's TLS port.",
                endpoint,
                ex);
        }

        if (!recorder.ServerSpokeTls)
        {
            var start = Convert.ToHexString(recorder.Recorded[..Math.Min(8, recorder.RecordedCount)]);
            return new BuildxException(
                ErrorIds.TlsServerPlaintext,
                BuildxErrorKind.ConnectionError,
                $"TLS with {endpoint} failed: the server answered in plaintext, not TLS (its first bytes are 0x{start}). Remove the TLS options (cacert, cert, key, servername) for a plaintext daemon, or point at the daemon's TLS port.",
                endpoint,
                ex);
        }

        if (AlertOf(ex) is { } alert)
        {
            return ClientRefused($"TLS alert: {alert}", settings, endpoint);
        }

        if (certificateRequested)
        {
            // It asked for a client certificate, then ended the handshake without a word: the refusal of servers that send no alert.
            return ClientRefused("the server ended the handshake after asking for a client certificate", settings, endpoint);
        }

        return new BuildxException(
            ErrorIds.TlsHandshakeFailed,
            BuildxErrorKind.ConnectionError,
            $"TLS with {endpoint} failed: {Innermost(ex).Message}",
            endpoint,
            ex);
    }

    /// <summary>The server's TLS alert about certificates, from the platform's error text, or null.</summary>
    internal static string? AlertOf(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            var message = e.Message;
            var at = message.IndexOf("alert", StringComparison.OrdinalIgnoreCase);
            if (at >= 0 && (message.Contains("certificate", StringComparison.OrdinalIgnoreCase) || message.Contains("unknown ca", StringComparison.OrdinalIgnoreCase)))
            {
                return message[(message.LastIndexOf(':', at) + 1)..].Trim();
            }
        }

        return null;
    }

    /// <param name="evidence">How the refusal showed: the alert, or the connection closed.</param>
    private static BuildxException ClientRefused(string evidence, TlsClientSettings settings, string endpoint) => new(
        ErrorIds.TlsClientCertificateRefused,
        BuildxErrorKind.PermissionDenied,
        settings.ClientCertificate is { } client
            ? $"TLS with {endpoint} failed: the server refused the client certificate '{client.Subject}' (issued by '{client.Issuer}'; {evidence}). Give a client certificate signed by a CA the daemon trusts (cert and key, or -ClientCertificate)."
            : $"TLS with {endpoint} failed: the server requires a client certificate ({evidence}). Give one with cert and key (or -ClientCertificate) for mutual TLS.",
        endpoint);

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }
}
