using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>
/// The ciphers ssh-keygen may protect an openssh-key-v1 file with (<c>-Z</c>; aes256-ctr by
/// default): AES in CTR, CBC or GCM mode, and OpenSSH's chacha20-poly1305 construction.
/// </summary>
internal sealed class OpenSshKeyCipher
{
    private enum Mode
    {
        Ctr,
        Cbc,
        Gcm,
        ChaChaPoly,
    }

    private readonly Mode mode;

    private OpenSshKeyCipher(string name, int keyLength, int ivLength, Mode mode)
    {
        Name = name;
        KeyLength = keyLength;
        IvLength = ivLength;
        this.mode = mode;
    }

    public string Name { get; }

    public int KeyLength { get; }

    public int IvLength { get; }

    /// <summary>The bytes after the encrypted section that authenticate it (GCM's or Poly1305's tag).</summary>
    public int TagLength => mode is Mode.Gcm or Mode.ChaChaPoly ? 16 : 0;

    /// <summary>The encrypted section is a whole number of these.</summary>
    public int BlockSize => mode == Mode.ChaChaPoly ? 8 : 16;

    public const string SupportedNames = "aes128-ctr, aes192-ctr, aes256-ctr, aes128-cbc, aes192-cbc, aes256-cbc, aes128-gcm@openssh.com, aes256-gcm@openssh.com, chacha20-poly1305@openssh.com";

    public static OpenSshKeyCipher? Find(string name) => name switch
    {
        "aes128-ctr" => new(name, 16, 16, Mode.Ctr),
        "aes192-ctr" => new(name, 24, 16, Mode.Ctr),
        "aes256-ctr" => new(name, 32, 16, Mode.Ctr),
        "aes128-cbc" => new(name, 16, 16, Mode.Cbc),
        "aes192-cbc" => new(name, 24, 16, Mode.Cbc),
        "aes256-cbc" => new(name, 32, 16, Mode.Cbc),
        "aes128-gcm@openssh.com" => new(name, 16, 12, Mode.Gcm),
        "aes256-gcm@openssh.com" => new(name, 32, 12, Mode.Gcm),
        // Two 256-bit keys (payload, then length-header), no IV: the nonce is the packet number, 0 here.
        "chacha20-poly1305@openssh.com" => new(name, 64, 0, Mode.ChaChaPoly),
        _ => null,
    };

    /// <summary>
    /// Decrypts <paramref name="encrypted"/> with key and IV taken from <paramref name="keyAndIv"/>.
    /// A GCM or Poly1305 tag that does not verify throws <see cref="CryptographicException"/>.
    /// </summary>
    public byte[] Decrypt(ReadOnlySpan<byte> keyAndIv, ReadOnlySpan<byte> encrypted, ReadOnlySpan<byte> tag)
    {
        var key = keyAndIv[..KeyLength];
        var iv = keyAndIv.Slice(KeyLength, IvLength);
        var plain = new byte[encrypted.Length];
        switch (mode)
        {
            case Mode.Gcm:
                using (var gcm = new AesGcm(key, TagLength))
                {
                    gcm.Decrypt(iv, encrypted, tag, plain);
                }

                break;
            case Mode.Cbc:
                using (var aes = Aes.Create())
                {
                    aes.Key = key.ToArray();
                    aes.DecryptCbc(encrypted, iv, plain, PaddingMode.None);
                }

                break;
            case Mode.ChaChaPoly:
                DecryptChaChaPoly(key[..32], encrypted, tag, plain);
                break;
            default:
                DecryptCtr(key, iv, encrypted, plain);
                break;
        }

        return plain;
    }

    /// <summary>
    /// OpenSSH's chacha20-poly1305 (PROTOCOL.chacha20poly1305) with no length header: ChaCha20's
    /// block 0 gives the Poly1305 key that authenticates the ciphertext, blocks 1.. decrypt it.
    /// </summary>
    private static void DecryptChaChaPoly(ReadOnlySpan<byte> key, ReadOnlySpan<byte> encrypted, ReadOnlySpan<byte> tag, Span<byte> output)
    {
        var chacha = new ChaChaEngine();
        chacha.Init(false, new ParametersWithIV(new KeyParameter(key.ToArray()), new byte[8]));
        var block0 = new byte[64];
        chacha.ProcessBytes(new byte[64], 0, 64, block0, 0);

        var poly = new Poly1305();
        poly.Init(new KeyParameter(block0, 0, 32));
        poly.BlockUpdate(encrypted);
        Span<byte> expected = stackalloc byte[16];
        poly.DoFinal(expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            throw new CryptographicException("the Poly1305 tag does not verify.");
        }

        chacha.ProcessBytes(encrypted, output);
    }

    /// <summary>CTR: the IV is a 128-bit big-endian counter, encrypted per block and XORed in.</summary>
    private static void DecryptCtr(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        var counter = iv.ToArray();
        var blockCount = (input.Length + 15) / 16;
        var counters = new byte[blockCount * 16];
        for (var block = 0; block < blockCount; block++)
        {
            counter.CopyTo(counters, block * 16);
            for (var i = counter.Length - 1; i >= 0 && ++counter[i] == 0; i--)
            {
            }
        }

        var stream = aes.EncryptEcb(counters, PaddingMode.None);
        for (var i = 0; i < input.Length; i++)
        {
            output[i] = (byte)(input[i] ^ stream[i]);
        }
    }
}
