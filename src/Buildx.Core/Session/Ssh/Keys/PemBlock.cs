namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>
/// The first PEM block of a text (RFC 7468, with RFC 1421 headers such as Proc-Type allowed):
/// its label, its headers and its base64 body.
/// </summary>
internal sealed record PemBlock(string Label, IReadOnlyDictionary<string, string> Headers, string Base64, string Text)
{
    private const string BeginMarker = "-----BEGIN ";
    private const string Dashes = "-----";

    public static PemBlock? Find(string text)
    {
        var begin = text.IndexOf(BeginMarker, StringComparison.Ordinal);
        if (begin < 0)
        {
            return null;
        }

        var labelEnd = text.IndexOf(Dashes, begin + BeginMarker.Length, StringComparison.Ordinal);
        if (labelEnd < 0)
        {
            return null;
        }

        var label = text[(begin + BeginMarker.Length)..labelEnd];
        var endMarker = $"-----END {label}-----";
        var end = text.IndexOf(endMarker, labelEnd, StringComparison.Ordinal);
        if (end < 0)
        {
            return new PemBlock(label, new Dictionary<string, string>(), string.Empty, string.Empty);
        }

        var body = text[(labelEnd + Dashes.Length)..end];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var base64 = new System.Text.StringBuilder();
        foreach (var rawLine in body.Split('\n'))
        {
            var line = rawLine.Trim();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && base64.Length == 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            else
            {
                base64.Append(line);
            }
        }

        return new PemBlock(label, headers, base64.ToString(), text[begin..(end + endMarker.Length)] + "\n");
    }

    /// <summary>Legacy OpenSSL encryption (Proc-Type: 4,ENCRYPTED) or an encrypted PKCS#8 block.</summary>
    public bool IsEncrypted =>
        Label == "ENCRYPTED PRIVATE KEY" ||
        (Headers.TryGetValue("Proc-Type", out var type) && type.Contains("ENCRYPTED", StringComparison.OrdinalIgnoreCase));
}
