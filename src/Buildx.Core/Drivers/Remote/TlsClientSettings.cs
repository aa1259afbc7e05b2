using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Buildx.Core.Errors;

namespace Buildx.Core.Drivers.Remote;

/// <summary>
/// The TLS a remote node is dialed with, as buildx builds its <c>tls.Config</c>: only the given
/// CA is trusted (no system roots), the server name is <c>servername</c> or the endpoint's host,
/// and an optional client certificate is sent for mutual TLS.
/// </summary>
public sealed class TlsClientSettings
{
    private TlsClientSettings(X509Certificate2Collection authorities, X509Certificate2? clientCertificate, string serverName)
    {
        Authorities = authorities;
        ClientCertificate = clientCertificate;
        ServerName = serverName;
    }

    /// <summary>The CAs from <c>cacert</c>: the only trusted roots.</summary>
    public X509Certificate2Collection Authorities { get; }

    /// <summary>From <c>cert</c> and <c>key</c>, with its private key.</summary>
    public X509Certificate2? ClientCertificate { get; }

    public string ServerName { get; }

    /// <summary>Reads the PEM files the options name; an unreadable one is a <see cref="ErrorIds.TlsFileUnreadable"/> error.</summary>
    public static TlsClientSettings Load(RemoteDriverOptions options, RemoteEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(endpoint);
        var caPath = options.CaCertPath ?? throw new ArgumentException("TLS needs cacert.", nameof(options));
        var serverName = options.ServerName ?? endpoint.HostName;
        if (serverName.Length == 0)
        {
            throw new BuildxException(
                ErrorIds.InvalidDriverOption,
                BuildxErrorKind.InvalidArgument,
                $"The remote endpoint '{endpoint}' has no host name to check the daemon's certificate against. Give servername=<name in the certificate> (or -ServerName).",
                RemoteDriverOptions.ServerNameKey);
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(caPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw Unreadable(RemoteDriverOptions.CaCertKey, caPath, ex);
        }

        if (authorities.Count == 0)
        {
            throw Unreadable(RemoteDriverOptions.CaCertKey, caPath, null);
        }

        X509Certificate2? client = null;
        if (options.CertPath is { } certPath && options.KeyPath is { } keyPath)
        {
            try
            {
                client = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw new BuildxException(
                    ErrorIds.TlsFileUnreadable,
                    BuildxErrorKind.InvalidArgument,
                    $"The client certificate could not be read from cert '{certPath}' and key '{keyPath}': {ex.Message} Both must be PEM files (CERTIFICATE, and PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY) of the same key pair.",
                    certPath,
                    ex);
            }
        }

        return new TlsClientSettings(authorities, client, serverName);
    }

    private static BuildxException Unreadable(string key, string path, Exception? inner) => new(
        ErrorIds.TlsFileUnreadable,
        BuildxErrorKind.InvalidArgument,
        $"The remote driver option '{key}' names '{path}', which could not be read as PEM certificates{(inner is null ? " (it holds no CERTIFICATE block)" : $": {inner.Message}")}. Give the CA's certificate in PEM form.",
        path,
        inner);
}
