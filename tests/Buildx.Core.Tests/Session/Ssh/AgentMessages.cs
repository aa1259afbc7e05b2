using System.Buffers.Binary;
using System.Text;

namespace Buildx.Core.Tests.Session.Ssh;

/// <summary>Builds agent requests and reads agent answers, written from draft-miller-ssh-agent for the tests.</summary>
internal static class AgentMessages
{
    public static byte[] Frame(params byte[] body)
    {
        var framed = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)body.Length);
        body.CopyTo(framed, 4);
        return framed;
    }

    public static byte[] RequestIdentities() => Frame(11);

    public static byte[] SignRequest(byte[] blob, byte[] data, uint flags) => Frame(SignBody(blob, data, flags));

    /// <summary>A SIGN_REQUEST without its length prefix.</summary>
    public static byte[] SignBody(byte[] blob, byte[] data, uint flags) => [13, .. String(blob), .. String(data), .. UInt32(flags)];

    public static byte[] String(byte[] value) => [.. UInt32((uint)value.Length), .. value];

    public static byte[] UInt32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>Splits a stream of framed answers into bodies.</summary>
    public static List<byte[]> Bodies(byte[] stream)
    {
        var bodies = new List<byte[]>();
        for (var offset = 0; offset < stream.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(stream.AsSpan(offset));
            bodies.Add(stream.AsSpan(offset + 4, length).ToArray());
            offset += 4 + length;
        }

        return bodies;
    }

    /// <summary>An IDENTITIES_ANSWER body as (blob, comment) pairs.</summary>
    public static List<(byte[] Blob, string Comment)> Identities(byte[] body)
    {
        Assert.Equal(12, body[0]);
        var reader = new Reader(body, 1);
        var count = reader.UInt32();
        var identities = new List<(byte[], string)>();
        for (var i = 0; i < count; i++)
        {
            identities.Add((reader.String(), Encoding.UTF8.GetString(reader.String())));
        }

        Assert.True(reader.AtEnd);
        return identities;
    }

    /// <summary>A SIGN_RESPONSE body as the signature's algorithm and bytes.</summary>
    public static (string Algorithm, byte[] Signature) Signature(byte[] body)
    {
        Assert.Equal(14, body[0]);
        var outer = new Reader(body, 1);
        var blob = outer.String();
        Assert.True(outer.AtEnd);
        var reader = new Reader(blob, 0);
        var algorithm = Encoding.ASCII.GetString(reader.String());
        var signature = reader.String();
        Assert.True(reader.AtEnd);
        return (algorithm, signature);
    }

    public sealed class Reader(byte[] data, int offset)
    {
        private int position = offset;

        public bool AtEnd => position == data.Length;

        public uint UInt32()
        {
            var value = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position));
            position += 4;
            return value;
        }

        public byte[] String()
        {
            var length = (int)UInt32();
            var value = data.AsSpan(position, length).ToArray();
            position += length;
            return value;
        }
    }
}
