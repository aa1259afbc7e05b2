using System.Buffers.Binary;

namespace Buildx.Core.Session.Grpc;

/// <summary>
/// Lays out the front of one gRPC-framed <c>BytesMessage{bytes data = 1}</c>, which the payload then
/// follows unchanged: the 5-octet gRPC prefix, field 1's tag and the payload's varint length. Encoding
/// the protobuf by hand spares copying every payload into a ByteString first.
/// </summary>
internal static class BytesMessageFraming
{
    /// <summary>The gRPC prefix, the tag, and a varint of up to 5 octets.</summary>
    public const int MaxPrefixLength = GrpcMessageSource.PrefixLength + 1 + 5;

    /// <summary>Field 1, wire type 2 (length-delimited).</summary>
    public const byte DataFieldTag = (1 << 3) | 2;

    /// <summary>Writes the bytes in front of a payload of <paramref name="payloadLength"/> octets; returns how many.</summary>
    public static int WritePrefix(Span<byte> destination, int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        destination[0] = 0; // not compressed
        if (payloadLength == 0)
        {
            // proto3 leaves an empty bytes field out: the message is empty.
            BinaryPrimitives.WriteUInt32BigEndian(destination[1..], 0);
            return GrpcMessageSource.PrefixLength;
        }

        var position = GrpcMessageSource.PrefixLength;
        destination[position++] = DataFieldTag;
        var value = (uint)payloadLength;
        while (value >= 0x80)
        {
            destination[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[position++] = (byte)value;
        var messageLength = position - GrpcMessageSource.PrefixLength + payloadLength;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)messageLength);
        return position;
    }
}
