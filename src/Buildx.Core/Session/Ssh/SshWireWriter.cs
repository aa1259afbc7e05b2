using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Buildx.Core.Session.Ssh;

/// <summary>Writes RFC 4251 data types: byte, uint32, string and mpint.</summary>
internal sealed class SshWireWriter
{
    private readonly ArrayBufferWriter<byte> buffer = new();

    public SshWireWriter WriteByte(byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
        return this;
    }

    public SshWireWriter WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
        return this;
    }

    public SshWireWriter WriteString(ReadOnlySpan<byte> value)
    {
        WriteUInt32((uint)value.Length);
        buffer.Write(value);
        return this;
    }

    public SshWireWriter WriteString(string value) => WriteString(Encoding.UTF8.GetBytes(value));

    /// <summary>An unsigned big-endian magnitude as an mpint: no leading zeros, one zero byte when the top bit is set.</summary>
    public SshWireWriter WriteMpint(ReadOnlySpan<byte> magnitude)
    {
        magnitude = magnitude.TrimStart((byte)0);
        var pad = magnitude.Length > 0 && (magnitude[0] & 0x80) != 0;
        WriteUInt32((uint)(magnitude.Length + (pad ? 1 : 0)));
        if (pad)
        {
            WriteByte(0);
        }

        buffer.Write(magnitude);
        return this;
    }

    public byte[] ToArray() => buffer.WrittenSpan.ToArray();
}
