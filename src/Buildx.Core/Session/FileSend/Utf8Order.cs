namespace Buildx.Core.Session.FileSend;

/// <summary>
/// Compares strings in UTF-8 byte order, the order Go's string comparison (and so fsutil's walk and
/// Validator) uses. UTF-16 ordinal order differs only for surrogates against U+E000..U+FFFF.
/// </summary>
internal static class Utf8Order
{
    public static int Compare(string left, string right)
    {
        var length = Math.Min(left.Length, right.Length);
        for (var i = 0; i < length; i++)
        {
            var a = left[i];
            var b = right[i];
            if (a != b)
            {
                return Rank(a).CompareTo(Rank(b));
            }
        }

        return left.Length.CompareTo(right.Length);
    }

    // Surrogates encode code points above U+FFFF, which sort after every BMP character in UTF-8.
    private static int Rank(char c) => c switch
    {
        >= '\uD800' and <= '\uDFFF' => c + 0x2000,
        >= '\uE000' => c - 0x800,
        _ => c,
    };
}
