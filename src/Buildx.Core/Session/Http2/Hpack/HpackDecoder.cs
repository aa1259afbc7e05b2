using System.Buffers;
using System.Text;

namespace Buildx.Core.Session.Http2.Hpack;

/// <summary>
/// Decodes header blocks (RFC 7541 section 6) for one connection; it holds the decoding side's
/// dynamic table, so blocks must be decoded in the order they arrive. Any malformed block throws
/// <see cref="HpackDecodingException"/>, after which the connection must end (the table is no longer in sync).
/// </summary>
internal sealed class HpackDecoder
{
    private readonly HpackDynamicTable table;
    private readonly int maxTableSizeLimit;
    private readonly int maxHeaderListSize;

    /// <param name="maxTableSizeLimit">Our SETTINGS_HEADER_TABLE_SIZE: the largest table the peer may ask for.</param>
    /// <param name="maxHeaderListSize">Decoded fields beyond this size are dropped and reported, not kept.</param>
    public HpackDecoder(int maxTableSizeLimit, int maxHeaderListSize)
    {
        this.maxTableSizeLimit = maxTableSizeLimit;
        this.maxHeaderListSize = maxHeaderListSize;
        table = new HpackDynamicTable(maxTableSizeLimit);
    }

    internal HpackDynamicTable Table => table;

    /// <summary>
    /// Decodes one complete block into <paramref name="fields"/>. The whole block is always decoded so
    /// the table stays in sync; returns false when the list exceeded the size limit (the fields past
    /// the limit are missing), which the caller treats as an error of that stream only.
    /// </summary>
    public bool Decode(ReadOnlySpan<byte> block, List<KeyValuePair<string, string>> fields)
    {
        var position = 0;
        var fieldSeen = false;
        long listSize = 0;
        var withinLimit = true;
        while (position < block.Length)
        {
            var first = block[position];
            string name;
            string value;
            if ((first & 0x80) != 0)
            {
                // Indexed field (section 6.1).
                var entry = Lookup(HpackInteger.Decode(block, ref position, 7, int.MaxValue));
                name = entry.Name;
                value = entry.Value;
            }
            else if ((first & 0xc0) == 0x40)
            {
                // Literal with incremental indexing (section 6.2.1).
                name = ReadName(block, ref position, 6);
                value = ReadString(block, ref position);
                table.Add(new HpackHeaderField(name, value));
            }
            else if ((first & 0xe0) == 0x20)
            {
                // Dynamic table size update (section 6.3): only before the first field of a block.
                if (fieldSeen)
                {
                    throw new HpackDecodingException("a dynamic table size update follows a header field");
                }

                var size = HpackInteger.Decode(block, ref position, 5, int.MaxValue);
                if (size > maxTableSizeLimit)
                {
                    throw new HpackDecodingException($"a dynamic table size update to {size} exceeds the limit {maxTableSizeLimit}");
                }

                table.SetMaxSize(size);
                continue;
            }
            else
            {
                // Literal without indexing (0000xxxx) or never indexed (0001xxxx) (sections 6.2.2, 6.2.3).
                name = ReadName(block, ref position, 4);
                value = ReadString(block, ref position);
            }

            fieldSeen = true;
            listSize += name.Length + value.Length + HpackHeaderField.EntryOverhead;
            if (listSize > maxHeaderListSize)
            {
                withinLimit = false;
            }

            if (withinLimit)
            {
                fields.Add(new KeyValuePair<string, string>(name, value));
            }
        }

        return withinLimit;
    }

    private HpackHeaderField Lookup(int index)
    {
        if (index == 0)
        {
            throw new HpackDecodingException("header field index 0");
        }

        if (index <= HpackStaticTable.Count)
        {
            return HpackStaticTable.Get(index);
        }

        var position = index - HpackStaticTable.Count - 1;
        if (position >= table.Count)
        {
            throw new HpackDecodingException($"header field index {index} is beyond the tables ({HpackStaticTable.Count + table.Count} entries)");
        }

        return table[position];
    }

    private string ReadName(ReadOnlySpan<byte> block, ref int position, int prefixBits)
    {
        var index = HpackInteger.Decode(block, ref position, prefixBits, int.MaxValue);
        return index == 0 ? ReadString(block, ref position) : Lookup(index).Name;
    }

    private static string ReadString(ReadOnlySpan<byte> block, ref int position)
    {
        if (position >= block.Length)
        {
            throw new HpackDecodingException("the header block ends before a string literal");
        }

        var huffman = (block[position] & 0x80) != 0;
        var length = HpackInteger.Decode(block, ref position, 7, int.MaxValue);
        if (length > block.Length - position)
        {
            throw new HpackDecodingException($"a string literal of {length} octets runs past the end of the header block");
        }

        var encoded = block.Slice(position, length);
        position += length;
        if (!huffman)
        {
            return Encoding.Latin1.GetString(encoded);
        }

        // Bounded by the block, which the connection bounds.
        var maxLength = HpackHuffman.MaxDecodedLength(length);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, maxLength));
        try
        {
            var decoded = HpackHuffman.Decode(encoded, rented);
            return Encoding.Latin1.GetString(rented, 0, decoded);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
