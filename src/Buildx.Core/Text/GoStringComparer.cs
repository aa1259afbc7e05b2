namespace Buildx.Core.Text;

/// <summary>
/// Orders strings as Go compares them: by UTF-8 bytes, which is code-point order. It differs from
/// ordinal UTF-16 order only between surrogate pairs and U+E000..U+FFFF. Go's encoding/json sorts
/// map keys this way, buildx sorts builders by name this way, and fsutil requires
/// directory entries in this order ("changes out of order").
/// </summary>
internal sealed class GoStringComparer : IComparer<string>
{
    public static GoStringComparer Instance { get; } = new();

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
                return CodePointRank(x[i]).CompareTo(CodePointRank(y[i]));
            }
        }

        return x.Length.CompareTo(y.Length);
    }

    // Surrogates (U+D800..U+DFFF) stand for code points above U+FFFF, so they must sort after U+E000..U+FFFF.
    private static int CodePointRank(char c) => c switch
    {
        >= '\uD800' and <= '\uDFFF' => c + 0x2000,
        >= '\uE000' => c - 0x800,
        _ => c,
    };
}
