using Org.BouncyCastle.Crypto.Parameters;

namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>An Ed25519 key (RFC 8709); the BCL has no Ed25519, so BouncyCastle signs.</summary>
public sealed class Ed25519SshKey : SshPrivateKey
{
    public const string TypeName = "ssh-ed25519";

    private readonly Ed25519PrivateKeyParameters key;

    /// <summary>A key from its 32-byte seed (the private scalar's source).</summary>
    public Ed25519SshKey(ReadOnlySpan<byte> seed, string comment)
        : base(comment)
    {
        if (seed.Length != Ed25519PrivateKeyParameters.KeySize)
        {
            throw new ArgumentException($"An Ed25519 seed is {Ed25519PrivateKeyParameters.KeySize} bytes, not {seed.Length}.", nameof(seed));
        }

        key = new Ed25519PrivateKeyParameters(seed.ToArray());
        PublicKey = key.GeneratePublicKey().GetEncoded();
        PublicKeyBlob = new SshWireWriter().WriteString(TypeName).WriteString(PublicKey).ToArray();
    }

    public override string KeyType => TypeName;

    public override byte[] PublicKeyBlob { get; }

    /// <summary>The raw 32-byte public key.</summary>
    public byte[] PublicKey { get; }

    public override byte[] Sign(ReadOnlySpan<byte> data, SshSignOptions flags)
    {
        var signature = new byte[Ed25519PrivateKeyParameters.SignatureSize];
        key.Sign(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm.Ed25519, null, data.ToArray(), 0, data.Length, signature, 0);
        return new SshWireWriter().WriteString(TypeName).WriteString(signature).ToArray();
    }
}
