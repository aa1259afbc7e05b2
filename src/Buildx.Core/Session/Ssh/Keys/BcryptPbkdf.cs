using System.Security.Cryptography;

namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>
/// OpenBSD's bcrypt_pbkdf, the key derivation of passphrase-protected openssh-key-v1 files
/// (kdfname "bcrypt"): PBKDF2-like rounds over a bcrypt-based hash, with the output spread
/// across blocks rather than concatenated.
/// </summary>
internal static class BcryptPbkdf
{
    private const int HashSize = 32;

    // The 32-byte text bcrypt_hash encrypts.
    private static ReadOnlySpan<byte> MagicText => "OxychromaticBlowfishSwatDynamite"u8;

    public static byte[] DeriveKey(ReadOnlySpan<byte> passphrase, ReadOnlySpan<byte> salt, int rounds, int length)
    {
        if (rounds < 1 || salt.Length == 0 || length < 1 || length > HashSize * HashSize)
        {
            throw new ArgumentException("bcrypt_pbkdf needs at least one round, a salt and an output of 1 to 1024 bytes.");
        }

        var key = new byte[length];
        var stride = (length + HashSize - 1) / HashSize;
        var perBlock = (length + stride - 1) / stride;
        var passwordHash = SHA512.HashData(passphrase);
        var saltAndCount = new byte[salt.Length + 4];
        salt.CopyTo(saltAndCount);
        Span<byte> saltHash = stackalloc byte[64];
        Span<byte> roundOutput = stackalloc byte[HashSize];
        Span<byte> block = stackalloc byte[HashSize];

        var remaining = length;
        for (var count = 1u; remaining > 0; count++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(saltAndCount.AsSpan(salt.Length), count);
            SHA512.HashData(saltAndCount, saltHash);
            Hash(passwordHash, saltHash, roundOutput);
            roundOutput.CopyTo(block);
            for (var round = 1; round < rounds; round++)
            {
                SHA512.HashData(roundOutput, saltHash);
                Hash(passwordHash, saltHash, roundOutput);
                for (var j = 0; j < block.Length; j++)
                {
                    block[j] ^= roundOutput[j];
                }
            }

            // Output byte i of this block goes to position i * stride + (count - 1).
            var taken = 0;
            for (; taken < Math.Min(perBlock, remaining); taken++)
            {
                var destination = (taken * stride) + (int)(count - 1);
                if (destination >= length)
                {
                    break;
                }

                key[destination] = block[taken];
            }

            remaining -= taken;
        }

        return key;
    }

    /// <summary>bcrypt_hash: an expensive Blowfish key schedule over both hashes, then encrypting the magic text 64 times.</summary>
    private static void Hash(ReadOnlySpan<byte> passwordHash, ReadOnlySpan<byte> saltHash, Span<byte> output)
    {
        var state = new Blowfish();
        state.ExpandState(saltHash, passwordHash);
        for (var i = 0; i < 64; i++)
        {
            state.ExpandState(saltHash);
            state.ExpandState(passwordHash);
        }

        Span<uint> words = stackalloc uint[HashSize / 4];
        var position = 0;
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = Blowfish.NextWord(MagicText, ref position);
        }

        for (var i = 0; i < 64; i++)
        {
            state.Encrypt(words);
        }

        for (var i = 0; i < words.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(output[(4 * i)..], words[i]);
        }
    }
}
