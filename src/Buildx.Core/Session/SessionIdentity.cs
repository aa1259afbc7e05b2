using System.Numerics;
using System.Security.Cryptography;

namespace Buildx.Core.Session;

/// <summary>Ids in BuildKit's form: 128 random bits written as 25 base-36 characters.</summary>
public static class SessionIdentity
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string NewId()
    {
        var value = new BigInteger(RandomNumberGenerator.GetBytes(16), isUnsigned: true);
        var digits = new char[25];
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            value = BigInteger.DivRem(value, 36, out var remainder);
            digits[i] = Alphabet[(int)remainder];
        }

        return new string(digits);
    }
}
