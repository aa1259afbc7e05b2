namespace Buildx.Core.Session.Http2.Hpack;

/// <summary>
/// Huffman coding of string literals (RFC 7541 section 5.2) over <see cref="HpackHuffmanTable"/>.
/// Decoding uses the code's canonical shape: for each length, the first code and how many codes
/// have that length, so a symbol is found by comparing the next bits against at most 26 ranges.
/// </summary>
internal static class HpackHuffman
{
    private static readonly uint[] FirstCodeOfLength = new uint[HpackHuffmanTable.MaxCodeLength + 1];
    private static readonly int[] CountOfLength = new int[HpackHuffmanTable.MaxCodeLength + 1];
    private static readonly int[] OffsetOfLength = new int[HpackHuffmanTable.MaxCodeLength + 1];

    /// <summary>Symbols ordered by (code length, symbol), i.e. by code.</summary>
    private static readonly short[] SymbolsByCode = BuildDecodingTables();

    /// <summary>The most octets <see cref="Decode"/> can produce: the shortest code has 5 bits.</summary>
    public static int MaxDecodedLength(int encodedLength) => (int)(((long)encodedLength * 8) / HpackHuffmanTable.MinCodeLength);

    /// <summary>Decodes into <paramref name="destination"/> (sized by <see cref="MaxDecodedLength"/>); returns the octets written.</summary>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ulong bitBuffer = 0;
        var bitCount = 0;
        var position = 0;
        var written = 0;
        while (true)
        {
            while (bitCount <= 56 && position < source.Length)
            {
                bitBuffer = (bitBuffer << 8) | source[position++];
                bitCount += 8;
            }

            if (bitCount == 0)
            {
                return written;
            }

            var symbol = -1;
            var length = HpackHuffmanTable.MinCodeLength;
            var longest = Math.Min(HpackHuffmanTable.MaxCodeLength, bitCount);
            for (; length <= longest; length++)
            {
                var code = (uint)(bitBuffer >> (bitCount - length)) & (uint)((1UL << length) - 1);
                var offset = code - FirstCodeOfLength[length];
                if (offset < (uint)CountOfLength[length])
                {
                    symbol = SymbolsByCode[OffsetOfLength[length] + (int)offset];
                    break;
                }
            }

            if (symbol < 0)
            {
                // The code is complete, so at least 30 buffered bits always hold a symbol: what is
                // left is the end of the input and must be padding.
                CheckPadding(bitBuffer, bitCount);
                return written;
            }

            if (symbol == HpackHuffmanTable.EndOfString)
            {
                throw new HpackDecodingException("a Huffman-coded string contains the EOS symbol");
            }

            destination[written++] = (byte)symbol;
            bitCount -= length;
            bitBuffer &= (1UL << bitCount) - 1;
        }
    }

    /// <summary>The octets <see cref="Encode"/> writes for <paramref name="value"/>.</summary>
    public static int EncodedLength(string value)
    {
        long bits = 0;
        foreach (var c in value)
        {
            bits += HpackHuffmanTable.Codes[ToOctet(c)].Length;
        }

        return (int)((bits + 7) / 8);
    }

    /// <summary>Encodes <paramref name="value"/> (one octet per char) and pads with the EOS prefix.</summary>
    public static int Encode(string value, Span<byte> destination)
    {
        ulong bitBuffer = 0;
        var bitCount = 0;
        var written = 0;
        foreach (var c in value)
        {
            var (code, length) = HpackHuffmanTable.Codes[ToOctet(c)];
            bitBuffer = (bitBuffer << length) | code;
            bitCount += length;
            while (bitCount >= 8)
            {
                bitCount -= 8;
                destination[written++] = (byte)(bitBuffer >> bitCount);
            }

            bitBuffer &= (1UL << bitCount) - 1;
        }

        if (bitCount > 0)
        {
            destination[written++] = (byte)((bitBuffer << (8 - bitCount)) | (0xffUL >> bitCount));
        }

        return written;
    }

    /// <summary>Header strings are octets; a char outside Latin-1 cannot be sent and becomes '?'.</summary>
    internal static byte ToOctet(char c) => c <= 0xff ? (byte)c : (byte)'?';

    private static void CheckPadding(ulong bitBuffer, int bitCount)
    {
        if (bitCount > 7)
        {
            throw new HpackDecodingException("a Huffman-coded string has more than 7 bits of padding or an incomplete code");
        }

        var mask = (1UL << bitCount) - 1;
        if ((bitBuffer & mask) != mask)
        {
            throw new HpackDecodingException("a Huffman-coded string's padding is not a prefix of EOS");
        }
    }

    private static short[] BuildDecodingTables()
    {
        var codes = HpackHuffmanTable.Codes;
        foreach (var (_, length) in codes)
        {
            CountOfLength[length]++;
        }

        uint next = 0;
        var offset = 0;
        for (var length = 1; length <= HpackHuffmanTable.MaxCodeLength; length++)
        {
            next <<= 1;
            FirstCodeOfLength[length] = next;
            OffsetOfLength[length] = offset;
            next += (uint)CountOfLength[length];
            offset += CountOfLength[length];
        }

        var symbols = new short[codes.Length];
        var filled = new int[HpackHuffmanTable.MaxCodeLength + 1];
        for (var symbol = 0; symbol < codes.Length; symbol++)
        {
            var length = codes[symbol].Length;
            symbols[OffsetOfLength[length] + filled[length]++] = (short)symbol;
        }

        return symbols;
    }
}
