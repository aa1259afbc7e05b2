namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>
/// The Blowfish cipher with the expensive key schedule of bcrypt (Provos and Mazieres): only what
/// <see cref="BcryptPbkdf"/> needs, namely salted key expansion and block encryption.
/// </summary>
internal sealed class Blowfish
{
    private readonly uint[] p = new uint[BlowfishInitialState.PCount];
    private readonly uint[] s = new uint[BlowfishInitialState.SCount];

    public Blowfish()
    {
        var initial = BlowfishInitialState.All;
        initial[..p.Length].CopyTo(p);
        initial[p.Length..].CopyTo(s);
    }

    /// <summary>Mixes <paramref name="key"/> into the P-array, then rekeys while folding in <paramref name="salt"/>.</summary>
    public void ExpandState(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> key)
    {
        XorKeyIntoP(key);
        var position = 0;
        uint left = 0, right = 0;
        for (var i = 0; i < p.Length; i += 2)
        {
            left ^= NextWord(salt, ref position);
            right ^= NextWord(salt, ref position);
            Encipher(ref left, ref right);
            p[i] = left;
            p[i + 1] = right;
        }

        for (var i = 0; i < s.Length; i += 2)
        {
            left ^= NextWord(salt, ref position);
            right ^= NextWord(salt, ref position);
            Encipher(ref left, ref right);
            s[i] = left;
            s[i + 1] = right;
        }
    }

    /// <summary>The unsalted expansion: mixes <paramref name="key"/> into the P-array and rekeys.</summary>
    public void ExpandState(ReadOnlySpan<byte> key)
    {
        XorKeyIntoP(key);
        uint left = 0, right = 0;
        for (var i = 0; i < p.Length; i += 2)
        {
            Encipher(ref left, ref right);
            p[i] = left;
            p[i + 1] = right;
        }

        for (var i = 0; i < s.Length; i += 2)
        {
            Encipher(ref left, ref right);
            s[i] = left;
            s[i + 1] = right;
        }
    }

    /// <summary>Encrypts consecutive 64-bit blocks held as word pairs, in place (ECB).</summary>
    public void Encrypt(Span<uint> blocks)
    {
        for (var i = 0; i + 1 < blocks.Length; i += 2)
        {
            Encipher(ref blocks[i], ref blocks[i + 1]);
        }
    }

    /// <summary>The next big-endian word of <paramref name="data"/>, wrapping around at its end.</summary>
    public static uint NextWord(ReadOnlySpan<byte> data, ref int position)
    {
        uint word = 0;
        for (var i = 0; i < 4; i++)
        {
            if (position >= data.Length)
            {
                position = 0;
            }

            word = (word << 8) | data[position++];
        }

        return word;
    }

    private void XorKeyIntoP(ReadOnlySpan<byte> key)
    {
        var position = 0;
        for (var i = 0; i < p.Length; i++)
        {
            p[i] ^= NextWord(key, ref position);
        }
    }

    private uint F(uint x) => ((s[x >> 24] + s[0x100 + ((x >> 16) & 0xFF)]) ^ s[0x200 + ((x >> 8) & 0xFF)]) + s[0x300 + (x & 0xFF)];

    private void Encipher(ref uint left, ref uint right)
    {
        var l = left ^ p[0];
        var r = right;
        for (var round = 1; round <= 16; round += 2)
        {
            r ^= F(l) ^ p[round];
            l ^= F(r) ^ p[round + 1];
        }

        left = r ^ p[17];
        right = l;
    }
}
