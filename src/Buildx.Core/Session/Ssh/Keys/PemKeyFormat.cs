using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;

namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>
/// PEM private keys as OpenSSL and <c>ssh-keygen -m PEM|PKCS8</c> write them: PKCS#1 RSA, SEC1 EC
/// (both possibly with OpenSSL's legacy Proc-Type encryption) and PKCS#8, plain or encrypted.
/// BouncyCastle's reader decodes them; the keys then sign with the BCL (RSA, ECDSA) or BouncyCastle (Ed25519).
/// </summary>
internal static class PemKeyFormat
{
    public static readonly IReadOnlySet<string> Labels = new HashSet<string>(StringComparer.Ordinal)
    {
        "RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
    };

    public static SshPrivateKey Load(PemBlock block, byte[]? passphrase, string source)
    {
        if (block.IsEncrypted && (passphrase is null || passphrase.Length == 0))
        {
            throw SshKeyErrors.PassphraseRequired(source);
        }

        var password = passphrase is null ? null : Encoding.UTF8.GetChars(passphrase);
        object? decoded;
        try
        {
            using var text = new StringReader(block.Text);
            decoded = new PemReader(text, password is null ? null : new Password(password)).ReadObject();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A wrong passphrase usually fails the padding check, but now and then decrypts to bytes
            // that fail anywhere in the ASN.1 decoding, with whatever exception that part throws.
            throw block.IsEncrypted
                ? SshKeyErrors.PassphraseIncorrect(source, ex)
                : SshKeyErrors.Invalid(source, $"the {block.Label} block does not decode ({ex.Message}).", ex);
        }
        finally
        {
            if (password is not null)
            {
                Array.Clear(password);
            }
        }

        var privateKey = decoded switch
        {
            AsymmetricCipherKeyPair pair => pair.Private,
            AsymmetricKeyParameter { IsPrivate: true } key => key,
            _ => throw SshKeyErrors.Invalid(source, $"the {block.Label} block holds no private key."),
        };
        try
        {
            return Convert(privateKey, source);
        }
        catch (CryptographicException ex)
        {
            throw SshKeyErrors.Invalid(source, "the key's numbers are not a valid key (" + ex.Message + ")", ex);
        }
    }

    private static SshPrivateKey Convert(AsymmetricKeyParameter key, string source)
    {
        switch (key)
        {
            case Ed25519PrivateKeyParameters ed25519:
                return new Ed25519SshKey(ed25519.GetEncoded(), source);

            case RsaPrivateCrtKeyParameters rsa:
                return new RsaSshKey(OpenSshKeyFormat.RsaFromComponents(
                    rsa.Modulus.ToByteArrayUnsigned(), rsa.PublicExponent.ToByteArrayUnsigned(), rsa.Exponent.ToByteArrayUnsigned(),
                    rsa.P.ToByteArrayUnsigned(), rsa.Q.ToByteArrayUnsigned(), rsa.QInv.ToByteArrayUnsigned()), source);

            case ECPrivateKeyParameters ec:
            {
                var oid = ec.PublicKeyParamSet?.Id ?? (ec.Parameters as ECNamedDomainParameters)?.Name.Id;
                var curveName = oid switch
                {
                    "1.2.840.10045.3.1.7" => "nistp256",
                    "1.3.132.0.34" => "nistp384",
                    "1.3.132.0.35" => "nistp521",
                    _ => throw SshKeyErrors.NotSupported(source, $"an EC key on the curve {oid ?? "given by explicit parameters"} (supported: nistp256, nistp384, nistp521)"),
                };
                var size = (ec.Parameters.Curve.FieldSize + 7) / 8;
                var point = ec.Parameters.G.Multiply(ec.D).Normalize();
                var ecdsa = ECDsa.Create(new ECParameters
                {
                    Curve = EcdsaSshKey.CurveFor(curveName)!.Value,
                    Q = new ECPoint
                    {
                        X = OpenSshKeyFormat.LeftPad(point.AffineXCoord.ToBigInteger().ToByteArrayUnsigned(), size),
                        Y = OpenSshKeyFormat.LeftPad(point.AffineYCoord.ToBigInteger().ToByteArrayUnsigned(), size),
                    },
                    D = OpenSshKeyFormat.LeftPad(ec.D.ToByteArrayUnsigned(), size),
                });
                return new EcdsaSshKey(ecdsa, source);
            }

            default:
                throw SshKeyErrors.NotSupported(source, $"a {key.GetType().Name.Replace("PrivateKeyParameters", string.Empty, StringComparison.Ordinal)} key");
        }
    }

    private sealed class Password(char[] value) : IPasswordFinder
    {
        public char[] GetPassword() => (char[])value.Clone();
    }
}
