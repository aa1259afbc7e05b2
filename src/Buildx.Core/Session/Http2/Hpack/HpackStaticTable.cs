namespace Buildx.Core.Session.Http2.Hpack;

/// <summary>The static table of RFC 7541 Appendix A; index 1 is the first entry.</summary>
internal static class HpackStaticTable
{
    public const int Count = 61;

    private static readonly HpackHeaderField[] Entries =
    [
        new(":authority", ""),
        new(":method", "GET"),
        new(":method", "POST"),
        new(":path", "/"),
        new(":path", "/index.html"),
        new(":scheme", "http"),
        new(":scheme", "https"),
        new(":status", "200"),
        new(":status", "204"),
        new(":status", "206"),
        new(":status", "304"),
        new(":status", "400"),
        new(":status", "404"),
        new(":status", "500"),
        new("accept-charset", ""),
        new("accept-encoding", "gzip, deflate"),
        new("accept-language", ""),
        new("accept-ranges", ""),
        new("accept", ""),
        new("access-control-allow-origin", ""),
        new("age", ""),
        new("allow", ""),
        new("authorization", ""),
        new("cache-control", ""),
        new("content-disposition", ""),
        new("content-encoding", ""),
        new("content-language", ""),
        new("content-length", ""),
        new("content-location", ""),
        new("content-range", ""),
        new("content-type", ""),
        new("cookie", ""),
        new("date", ""),
        new("etag", ""),
        new("expect", ""),
        new("expires", ""),
        new("from", ""),
        new("host", ""),
        new("if-match", ""),
        new("if-modified-since", ""),
        new("if-none-match", ""),
        new("if-range", ""),
        new("if-unmodified-since", ""),
        new("last-modified", ""),
        new("link", ""),
        new("location", ""),
        new("max-forwards", ""),
        new("proxy-authenticate", ""),
        new("proxy-authorization", ""),
        new("range", ""),
        new("referer", ""),
        new("refresh", ""),
        new("retry-after", ""),
        new("server", ""),
        new("set-cookie", ""),
        new("strict-transport-security", ""),
        new("transfer-encoding", ""),
        new("user-agent", ""),
        new("vary", ""),
        new("via", ""),
        new("www-authenticate", ""),
    ];

    /// <summary>The entry at a 1-based index in 1..61.</summary>
    public static HpackHeaderField Get(int index) => Entries[index - 1];

    /// <summary>
    /// Finds a field: the index of an exact match if there is one (<paramref name="exact"/> true),
    /// else the first index with the same name, else 0.
    /// </summary>
    public static int Find(string name, string value, out bool exact)
    {
        var nameIndex = 0;
        for (var i = 0; i < Entries.Length; i++)
        {
            if (!string.Equals(Entries[i].Name, name, StringComparison.Ordinal))
            {
                continue;
            }

            if (string.Equals(Entries[i].Value, value, StringComparison.Ordinal))
            {
                exact = true;
                return i + 1;
            }

            if (nameIndex == 0)
            {
                nameIndex = i + 1;
            }
        }

        exact = false;
        return nameIndex;
    }
}
