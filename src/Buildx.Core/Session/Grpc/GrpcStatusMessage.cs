using System.Text;

namespace Buildx.Core.Session.Grpc;

/// <summary>
/// The grpc-message trailer's encoding: UTF-8, then percent-encoding of every octet outside
/// printable ASCII and of '%' itself (gRPC over HTTP/2, "Responses").
/// </summary>
internal static class GrpcStatusMessage
{
    /// <summary>Long messages are cut so a trailer always fits one small header block.</summary>
    public const int MaxEncodedLength = 8 * 1024;

    public static string Encode(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var encoded = new StringBuilder(Math.Min(bytes.Length, MaxEncodedLength));
        foreach (var b in bytes)
        {
            var piece = b is >= 0x20 and <= 0x7e and not (byte)'%' ? 1 : 3;
            if (encoded.Length + piece > MaxEncodedLength)
            {
                break;
            }

            if (piece == 1)
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xf));
            }
        }

        return encoded.ToString();
    }

    public static string Decode(string encoded)
    {
        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length && IsHex(encoded[i + 1]) && IsHex(encoded[i + 2]))
            {
                bytes.Add(Convert.ToByte(encoded.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)encoded[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
