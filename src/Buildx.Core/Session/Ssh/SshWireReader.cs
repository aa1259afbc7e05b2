using System.Buffers.Binary;
using System.Text;

namespace Buildx.Core.Session.Ssh;

/// <summary>
/// Reads RFC 4251 data types (uint32, string, mpint) from a buffer; running past the end
/// throws <see cref="SshWireFormatException"/> instead of reading garbage.
/// </summary>
internal sealed class SshWireReader(ReadOnlyMemory<byte> data)
{
    private int position;

    public bool AtEnd => position == data.Length;

    public int Remaining => data.Length - position;

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4).Span);

    /// <summary>A length-prefixed byte string.</summary>
    public ReadOnlyMemory<byte> ReadString()
    {
        var length = ReadUInt32();
        if (length > (uint)Remaining)
        {
            throw new SshWireFormatException($"a string claims {length} bytes but only {Remaining} remain.");
        }

        return Take((int)length);
    }

    public string ReadText() => Encoding.UTF8.GetString(ReadString().Span);

    /// <summary>An mpint as an unsigned big-endian magnitude without leading zero bytes; negative values are refused.</summary>
    public byte[] ReadUnsignedMpint()
    {
        var value = ReadString().Span;
        if (value.Length > 0 && (value[0] & 0x80) != 0)
        {
            throw new SshWireFormatException("a negative mpint where a positive number belongs.");
        }

        return value.TrimStart((byte)0).ToArray();
    }

    /// <summary>The bytes not read yet.</summary>
    public ReadOnlyMemory<byte> ReadRest() => Take(Remaining);

    private ReadOnlyMemory<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw new SshWireFormatException($"the data ends {count - Remaining} byte(s) early.");
        }

        var slice = data.Slice(position, count);
        position += count;
        return slice;
    }
}
