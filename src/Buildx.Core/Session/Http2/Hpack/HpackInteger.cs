namespace Buildx.Core.Session.Http2.Hpack;

/// <summary>The prefixed integer representation of RFC 7541 section 5.1.</summary>
internal static class HpackInteger
{
    /// <summary>Continuation octets accepted: enough for any int, few enough that zero-padding cannot stall us.</summary>
    private const int MaxContinuationOctets = 5;

    /// <summary>
    /// Decodes an integer whose first octet is at <paramref name="position"/>, keeping the low
    /// <paramref name="prefixBits"/> bits of it. Values above <paramref name="maxValue"/> are errors.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> source, ref int position, int prefixBits, int maxValue)
    {
        if (position >= source.Length)
        {
            throw new HpackDecodingException("the header block ends inside an integer");
        }

        var prefixMax = (1 << prefixBits) - 1;
        long value = source[position++] & prefixMax;
        if (value < prefixMax)
        {
            return value <= maxValue ? (int)value : throw TooLarge(value, maxValue);
        }

        var shift = 0;
        for (var octets = 0; ; octets++)
        {
            if (octets == MaxContinuationOctets)
            {
                throw new HpackDecodingException("an integer has too many continuation octets");
            }

            if (position >= source.Length)
            {
                throw new HpackDecodingException("the header block ends inside an integer");
            }

            var octet = source[position++];
            value += (long)(octet & 0x7f) << shift;
            shift += 7;
            if (value > maxValue)
            {
                throw TooLarge(value, maxValue);
            }

            if ((octet & 0x80) == 0)
            {
                return (int)value;
            }
        }
    }

    /// <summary>Encodes <paramref name="value"/> with the given prefix; <paramref name="firstOctetBits"/> fills the bits above it.</summary>
    public static int Encode(Span<byte> destination, int value, int prefixBits, byte firstOctetBits)
    {
        var prefixMax = (1 << prefixBits) - 1;
        if (value < prefixMax)
        {
            destination[0] = (byte)(firstOctetBits | value);
            return 1;
        }

        destination[0] = (byte)(firstOctetBits | prefixMax);
        var position = 1;
        var rest = value - prefixMax;
        while (rest >= 0x80)
        {
            destination[position++] = (byte)((rest & 0x7f) | 0x80);
            rest >>= 7;
        }

        destination[position++] = (byte)rest;
        return position;
    }

    /// <summary>The octets <see cref="Encode"/> writes.</summary>
    public static int EncodedLength(int value, int prefixBits)
    {
        var prefixMax = (1 << prefixBits) - 1;
        if (value < prefixMax)
        {
            return 1;
        }

        var length = 2;
        for (var rest = value - prefixMax; rest >= 0x80; rest >>= 7)
        {
            length++;
        }

        return length;
    }

    private static HpackDecodingException TooLarge(long value, int maxValue) =>
        new($"an integer ({value}) exceeds the limit {maxValue}");
}
