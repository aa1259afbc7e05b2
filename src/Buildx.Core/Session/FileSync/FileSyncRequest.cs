using System.Text;
using Buildx.Core.Session.Grpc;

namespace Buildx.Core.Session.FileSync;

/// <summary>
/// What the daemon asks for in the metadata of a DiffCopy call (BuildKit session/filesync): which local
/// directory, and how to filter it. Each key may repeat; when <c>&lt;key&gt;-encoded</c> is true the values
/// are URL-query-escaped (BuildKit does that when any value is not ASCII).
/// </summary>
internal sealed record FileSyncRequest(
    string DirectoryName,
    IReadOnlyList<string> IncludePatterns,
    IReadOnlyList<string> ExcludePatterns,
    IReadOnlyList<string> FollowPaths)
{
    public const string DirectoryNameKey = "dir-name";
    public const string IncludePatternsKey = "include-patterns";
    public const string ExcludePatternsKey = "exclude-patterns";
    public const string FollowPathsKey = "followpaths";
    public const string EncodedSuffix = "-encoded";

    public static FileSyncRequest FromMetadata(GrpcCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var names = Values(context, DirectoryNameKey);
        return new FileSyncRequest(
            names.Count > 0 ? names[0] : string.Empty,
            Values(context, IncludePatternsKey),
            Values(context, ExcludePatternsKey),
            Values(context, FollowPathsKey));
    }

    private static IReadOnlyList<string> Values(GrpcCallContext context, string key)
    {
        var values = context.GetValues(key);
        if (!IsTrue(context.GetValue(key + EncodedSuffix)))
        {
            return values;
        }

        return values.Select(QueryUnescape).ToArray();
    }

    /// <summary>Go strconv.ParseBool's true spellings; anything else (or nothing) is false.</summary>
    private static bool IsTrue(string? value) => value is "1" or "t" or "T" or "true" or "TRUE" or "True";

    /// <summary>Go url.QueryUnescape: <c>+</c> is a space, <c>%XX</c> a byte; a bad escape yields "" as BuildKit ignores the error.</summary>
    internal static string QueryUnescape(string value)
    {
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var ch = value[i];
            if (ch == '%')
            {
                if (i + 2 >= value.Length || !IsHex(value[i + 1]) || !IsHex(value[i + 2]))
                {
                    return string.Empty;
                }

                bytes.Add((byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2])));
                i += 2;
            }
            else if (ch == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (ch < 0x80)
            {
                bytes.Add((byte)ch);
            }
            else
            {
                // Not expected in a header, but keep it rather than lose it.
                bytes.AddRange(Encoding.UTF8.GetBytes(ch.ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsHex(char ch) => char.IsAsciiHexDigit(ch);

    private static int HexValue(char ch) => ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
}
