namespace Buildx.Core.Session.FileSync;

/// <summary>
/// Orders strings as Go orders them: by their UTF-8 bytes, which is code point order. Plain UTF-16 ordinal
/// order differs for characters above U+FFFF against U+E000..U+FFFF, and the receiver rejects entries that
/// are not in its order ("changes out of order").
/// </summary>
internal sealed class Utf8OrdinalComparer : IComparer<string>
{
    public static Utf8OrdinalComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
            {
                return CodePointOrderKey(x[i]) - CodePointOrderKey(y[i]);
            }
        }

        return x.Length - y.Length;
    }

    /// <summary>Moves surrogates above U+E000..U+FFFF so that UTF-16 units sort in code point order.</summary>
    private static int CodePointOrderKey(char unit) => unit switch
    {
        >= '\uE000' => unit - 0x800,
        >= '\uD800' => unit + 0x2000,
        _ => unit,
    };
}
