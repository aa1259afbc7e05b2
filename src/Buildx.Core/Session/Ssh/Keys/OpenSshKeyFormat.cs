using System.Numerics;
using System.Security.Cryptography;

namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>
/// Reads OpenSSH's own private key format (openssh-key-v1, PROTOCOL.key): an unencrypted header
/// with the public key, then a private section that may be encrypted with a bcrypt_pbkdf-derived key.
/// </summary>
internal static class OpenSshKeyFormat
{
    public const string PemLabel = "OPENSSH PRIVATE KEY";

    private static ReadOnlySpan<byte> Magic => "openssh-key-v1\0"u8;

    /// <summary>Whether the file's private section is encrypted (cipher other than none).</summary>
    public static bool IsEncrypted(byte[] data, string source) => ReadHeader(data, source).CipherName != "none";

    public static SshPrivateKey Load(byte[] data, byte[]? passphrase, string source)
    {
        var header = ReadHeader(data, source);
        try
        {
            var privateSection = Decrypt(header, passphrase, source);
            var reader = new SshWireReader(privateSection);
            var check1 = reader.ReadUInt32();
            var check2 = reader.ReadUInt32();
            if (check1 != check2)
            {
                throw header.CipherName == "none"
                    ? SshKeyErrors.Invalid(source, "the private section's check numbers differ.")
                    : SshKeyErrors.PassphraseIncorrect(source);
            }

            var key = ReadPrivateKey(reader, source);
            try
            {
                CheckPadding(reader, source);
                if (!key.PublicKeyBlob.AsSpan().SequenceEqual(header.PublicKey.Span))
                {
                    throw SshKeyErrors.Invalid(source, "the private key does not match the public key stored beside it.");
                }

                return key;
            }
            catch
            {
                key.Dispose();
                throw;
            }
        }
        catch (SshWireFormatException ex)
        {
            throw SshKeyErrors.Invalid(source, "the OpenSSH key data is truncated or malformed (" + ex.Message + ")", ex);
        }
        catch (CryptographicException ex)
        {
            throw SshKeyErrors.Invalid(source, "the key's numbers are not a valid key (" + ex.Message + ")", ex);
        }
    }

    private sealed record Header(string CipherName, string KdfName, ReadOnlyMemory<byte> KdfOptions, ReadOnlyMemory<byte> PublicKey, ReadOnlyMemory<byte> Encrypted, ReadOnlyMemory<byte> Tag);

    private static Header ReadHeader(byte[] data, string source)
    {
        if (!data.AsSpan().StartsWith(Magic))
        {
            throw SshKeyErrors.Invalid(source, "the OPENSSH PRIVATE KEY block does not start with openssh-key-v1.");
        }

        try
        {
            var reader = new SshWireReader(data.AsMemory(Magic.Length));
            var cipher = reader.ReadText();
            var kdf = reader.ReadText();
            var kdfOptions = reader.ReadString();
            var count = reader.ReadUInt32();
            if (count != 1)
            {
                throw SshKeyErrors.Invalid(source, $"the file holds {count} keys; OpenSSH key files hold exactly one.");
            }

            var publicKey = reader.ReadString();
            var encrypted = reader.ReadString();
            var tag = reader.ReadRest();
            return new Header(cipher, kdf, kdfOptions, publicKey, encrypted, tag);
        }
        catch (SshWireFormatException ex)
        {
            throw SshKeyErrors.Invalid(source, "the OpenSSH key header is truncated or malformed (" + ex.Message + ")", ex);
        }
    }

    private static byte[] Decrypt(Header header, byte[]? passphrase, string source)
    {
        if (header.CipherName == "none")
        {
            return header.Encrypted.ToArray();
        }

        var cipher = OpenSshKeyCipher.Find(header.CipherName)
            ?? throw SshKeyErrors.NotSupported(source, $"a key encrypted with '{header.CipherName}' (supported: {OpenSshKeyCipher.SupportedNames})");
        if (header.KdfName != "bcrypt")
        {
            throw SshKeyErrors.NotSupported(source, $"a key protected with the key derivation '{header.KdfName}' (supported: bcrypt)");
        }

        if (passphrase is null || passphrase.Length == 0)
        {
            throw SshKeyErrors.PassphraseRequired(source);
        }

        var options = new SshWireReader(header.KdfOptions);
        var salt = options.ReadString();
        var rounds = options.ReadUInt32();
        if (rounds is 0 or > 1 << 16 || salt.Length == 0)
        {
            throw SshKeyErrors.Invalid(source, $"the bcrypt options (rounds {rounds}, salt of {salt.Length} bytes) are out of range.");
        }

        if (header.Encrypted.Length % cipher.BlockSize != 0 || header.Tag.Length < cipher.TagLength)
        {
            throw SshKeyErrors.Invalid(source, "the encrypted section's length does not fit its cipher.");
        }

        var keyAndIv = BcryptPbkdf.DeriveKey(passphrase, salt.Span, (int)rounds, cipher.KeyLength + cipher.IvLength);
        try
        {
            return cipher.Decrypt(keyAndIv, header.Encrypted.Span, header.Tag.Span[..cipher.TagLength]);
        }
        catch (CryptographicException ex)
        {
            // Only the authenticated ciphers can tell here: their tag fails to verify under a wrong key.
            throw SshKeyErrors.PassphraseIncorrect(source, ex);
        }
        finally
        {
            Array.Clear(keyAndIv);
        }
    }

    private static SshPrivateKey ReadPrivateKey(SshWireReader reader, string source)
    {
        var type = reader.ReadText();
        switch (type)
        {
            case Ed25519SshKey.TypeName:
            {
                var publicKey = reader.ReadString();
                var secret = reader.ReadString();
                if (publicKey.Length != 32 || secret.Length != 64)
                {
                    throw SshKeyErrors.Invalid(source, "the Ed25519 key has the wrong lengths (public 32, private 64 bytes expected).");
                }

                return new Ed25519SshKey(secret.Span[..32], CommentOr(reader.ReadText(), source));
            }

            case RsaSshKey.TypeName:
            {
                var n = reader.ReadUnsignedMpint();
                var e = reader.ReadUnsignedMpint();
                var d = reader.ReadUnsignedMpint();
                var qInverse = reader.ReadUnsignedMpint();
                var p = reader.ReadUnsignedMpint();
                var q = reader.ReadUnsignedMpint();
                var comment = CommentOr(reader.ReadText(), source);
                return new RsaSshKey(RsaFromComponents(n, e, d, p, q, qInverse), comment);
            }

            case var ecdsa when ecdsa.StartsWith("ecdsa-sha2-", StringComparison.Ordinal):
            {
                var curveName = reader.ReadText();
                var curve = EcdsaSshKey.CurveFor(curveName);
                if (curve is null || ecdsa != "ecdsa-sha2-" + curveName)
                {
                    throw SshKeyErrors.NotSupported(source, $"an ECDSA key on the curve '{curveName}' (supported: nistp256, nistp384, nistp521)");
                }

                var point = reader.ReadString().Span;
                var privateValue = reader.ReadUnsignedMpint();
                var comment = CommentOr(reader.ReadText(), source);
                var coordinate = (point.Length - 1) / 2;
                if (point.Length < 3 || point[0] != 0x04 || point.Length != 1 + (2 * coordinate) || privateValue.Length > coordinate)
                {
                    throw SshKeyErrors.Invalid(source, "the ECDSA key's point or private value is malformed.");
                }

                var key = ECDsa.Create(new ECParameters
                {
                    Curve = curve.Value,
                    Q = new ECPoint { X = point.Slice(1, coordinate).ToArray(), Y = point.Slice(1 + coordinate, coordinate).ToArray() },
                    D = LeftPad(privateValue, coordinate),
                });
                return new EcdsaSshKey(key, comment);
            }

            default:
                throw SshKeyErrors.NotSupported(source, $"a key of type '{type}'");
        }
    }

    /// <summary>The private section ends with padding 1, 2, 3, ... up to the cipher's block size.</summary>
    private static void CheckPadding(SshWireReader reader, string source)
    {
        var padding = reader.ReadRest().Span;
        for (var i = 0; i < padding.Length; i++)
        {
            if (padding[i] != (byte)(i + 1))
            {
                throw SshKeyErrors.Invalid(source, "the private section's padding is malformed.");
            }
        }
    }

    private static string CommentOr(string comment, string source) => comment.Length > 0 ? comment : source;

    /// <summary>An RSA key from OpenSSH's fields; the BCL also needs d mod (p-1) and d mod (q-1).</summary>
    internal static RSA RsaFromComponents(byte[] n, byte[] e, byte[] d, byte[] p, byte[] q, byte[] qInverse)
    {
        if (Unsigned(p) <= 1 || Unsigned(q) <= 1)
        {
            throw new CryptographicException("the RSA primes are missing.");
        }

        var half = (n.Length + 1) / 2;
        var dValue = Unsigned(d);
        var parameters = new RSAParameters
        {
            Modulus = n,
            Exponent = e,
            D = LeftPad(d, n.Length),
            P = LeftPad(p, half),
            Q = LeftPad(q, half),
            DP = LeftPad((dValue % (Unsigned(p) - 1)).ToByteArray(isUnsigned: true, isBigEndian: true), half),
            DQ = LeftPad((dValue % (Unsigned(q) - 1)).ToByteArray(isUnsigned: true, isBigEndian: true), half),
            InverseQ = LeftPad(qInverse, half),
        };
        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(parameters);
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static BigInteger Unsigned(byte[] bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    internal static byte[] LeftPad(ReadOnlySpan<byte> value, int length)
    {
        value = value.TrimStart((byte)0);
        if (value.Length > length)
        {
            throw new CryptographicException($"a key number of {value.Length} bytes does not fit in {length}.");
        }

        var padded = new byte[length];
        value.CopyTo(padded.AsSpan(length - value.Length));
        return padded;
    }
}
