using System.Numerics;

namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>
/// Blowfish's initial P-array and S-boxes. Schneier defines them as the fractional part of pi in
/// hexadecimal (P1 = 0x243F6A88, ...), so they are computed once here (Machin's formula over
/// fixed-point integers) rather than carried as a 1,042-entry table.
/// </summary>
internal static class BlowfishInitialState
{
    public const int PCount = 18;
    public const int SCount = 4 * 256;

    private static readonly Lazy<uint[]> Words = new(ComputePiWords);

    /// <summary>The 18 P entries followed by the four 256-entry S-boxes, in order.</summary>
    public static ReadOnlySpan<uint> All => Words.Value;

    private static uint[] ComputePiWords()
    {
        const int wordCount = PCount + SCount;
        const int fractionBits = wordCount * 32;
        const int guardBits = 128;
        var one = BigInteger.One << (fractionBits + guardBits);

        // pi = 16 atan(1/5) - 4 atan(1/239)
        var pi = (16 * Arctangent(5, one)) - (4 * Arctangent(239, one));
        var fraction = (pi - (3 * one)) >> guardBits;

        var words = new uint[wordCount];
        var mask = new BigInteger(uint.MaxValue);
        for (var i = 0; i < wordCount; i++)
        {
            words[i] = (uint)((fraction >> (fractionBits - (32 * (i + 1)))) & mask);
        }

        return words;
    }

    /// <summary>atan(1/x) scaled by <paramref name="one"/>: the alternating series x^-(2k+1)/(2k+1).</summary>
    private static BigInteger Arctangent(int x, BigInteger one)
    {
        var squared = new BigInteger(x) * x;
        var power = one / x;
        var sum = power;
        var negative = true;
        for (var divisor = 3; !power.IsZero; divisor += 2)
        {
            power /= squared;
            var term = power / divisor;
            sum = negative ? sum - term : sum + term;
            negative = !negative;
        }

        return sum;
    }
}
