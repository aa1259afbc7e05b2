using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Buildx.TestRelay;

/// <summary>
/// Real certificates for TLS tests, made at test time: a CA, a server certificate it signed (for
/// localhost and 127.0.0.1), an expired server certificate, a client certificate it signed, and a
/// second ("rogue") CA with a server and a client certificate of its own.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string ServerDnsName = "localhost";

    private TestCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        Authority = CreateAuthority("CN=Buildx Test CA", now);
        RogueAuthority = CreateAuthority("CN=Buildx Rogue CA", now);
        Server = Issue(Authority, "CN=buildkitd", now.AddDays(-1), now.AddDays(30), server: true);
        ExpiredServer = Issue(Authority, "CN=buildkitd expired", now.AddDays(-10), now.AddDays(-2), server: true);
        RogueServer = Issue(RogueAuthority, "CN=buildkitd rogue", now.AddDays(-1), now.AddDays(30), server: true);
        Client = Issue(Authority, "CN=buildx client", now.AddDays(-1), now.AddDays(30), server: false);
        RogueClient = Issue(RogueAuthority, "CN=rogue client", now.AddDays(-1), now.AddDays(30), server: false);
    }

    public X509Certificate2 Authority { get; }

    public X509Certificate2 RogueAuthority { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 ExpiredServer { get; }

    public X509Certificate2 RogueServer { get; }

    public X509Certificate2 Client { get; }

    public X509Certificate2 RogueClient { get; }

    public static TestCertificates Create() => new();

    /// <summary>Writes every certificate (and each key as <c>&lt;name&gt;-key.pem</c>) as PEM into <paramref name="directory"/>.</summary>
    public void WritePem(string directory)
    {
        Directory.CreateDirectory(directory);
        Write(directory, "ca", Authority, withKey: false);
        Write(directory, "rogue-ca", RogueAuthority, withKey: false);
        Write(directory, "server", Server, withKey: true);
        Write(directory, "expired-server", ExpiredServer, withKey: true);
        Write(directory, "rogue-server", RogueServer, withKey: true);
        Write(directory, "client", Client, withKey: true);
        Write(directory, "rogue-client", RogueClient, withKey: true);
    }

    public void Dispose()
    {
        foreach (var certificate in new[] { Authority, RogueAuthority, Server, ExpiredServer, RogueServer, Client, RogueClient })
        {
            certificate.Dispose();
        }
    }

    private static void Write(string directory, string name, X509Certificate2 certificate, bool withKey)
    {
        File.WriteAllText(Path.Combine(directory, name + ".pem"), certificate.ExportCertificatePem() + "\n");
        if (withKey)
        {
            File.WriteAllText(Path.Combine(directory, name + "-key.pem"), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        }
    }

    private static X509Certificate2 CreateAuthority(string subject, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-30), now.AddYears(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 issuer, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(ServerDnsName);
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var issued = request.Create(issuer, notBefore, notAfter, serial);
        var withKey = issued.CopyWithPrivateKey(key);

        // Through PKCS#12, so the key is usable by SslStream on every platform.
        var pfx = withKey.Export(X509ContentType.Pkcs12);
        withKey.Dispose();
        return X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.Exportable);
    }
}
