using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Buildx.TestRelay;

/// <summary>
/// TLS on the relay's listening side: the server certificate it presents and, for mutual TLS,
/// the CA whose client certificates it accepts; and the protocol versions (None: the platform's choice).
/// </summary>
public sealed record RelayTls(X509Certificate2 ServerCertificate, X509Certificate2? ClientAuthority = null, SslProtocols Protocols = SslProtocols.None);
