using System.Security.Cryptography;

namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>
/// An RSA key (RFC 4253, RFC 8332), signed with the BCL: the sign request's flags choose
/// rsa-sha2-256 or rsa-sha2-512, and no flag means the legacy ssh-rsa (SHA-1) as OpenSSH's agent does.
/// </summary>
public sealed class RsaSshKey : SshPrivateKey
{
    public const string TypeName = "ssh-rsa";

    private readonly RSA key;

    /// <summary>Takes ownership of <paramref name="key"/>.</summary>
    public RsaSshKey(RSA key, string comment)
        : base(comment)
    {
        ArgumentNullException.ThrowIfNull(key);
        this.key = key;
        var parameters = key.ExportParameters(includePrivateParameters: false);
        PublicKeyBlob = new SshWireWriter().WriteString(TypeName).WriteMpint(parameters.Exponent).WriteMpint(parameters.Modulus).ToArray();
    }

    public override string KeyType => TypeName;

    public override byte[] PublicKeyBlob { get; }

    public override byte[] Sign(ReadOnlySpan<byte> data, SshSignOptions flags)
    {
        // SHA-256 wins when both flags are set, as in OpenSSH's agent.
        var (algorithm, hash) = (flags & SshSignOptions.RsaSha256) != 0 ? ("rsa-sha2-256", HashAlgorithmName.SHA256)
            : (flags & SshSignOptions.RsaSha512) != 0 ? ("rsa-sha2-512", HashAlgorithmName.SHA512)
            : (TypeName, HashAlgorithmName.SHA1);
        var signature = key.SignData(data, hash, RSASignaturePadding.Pkcs1);
        return new SshWireWriter().WriteString(algorithm).WriteString(signature).ToArray();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            key.Dispose();
        }

        base.Dispose(disposing);
    }
}
