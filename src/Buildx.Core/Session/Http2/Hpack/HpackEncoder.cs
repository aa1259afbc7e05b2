namespace Buildx.Core.Session.Http2.Hpack;

/// <summary>
/// Encodes header blocks for one connection. It keeps the encoding side's dynamic table, so blocks
/// must reach the peer in the order they were encoded: the connection encodes under its output lock.
/// Repeated fields (content-type, grpc-status) become one-octet indexes; one-off values are not indexed.
/// </summary>
internal sealed class HpackEncoder
{
    /// <summary>Ample for gRPC's handful of response fields.</summary>
    public const int PreferredTableSize = 4096;

    private readonly HpackDynamicTable table;
    private readonly int preferredTableSize;
    private readonly bool useHuffman;
    private readonly bool indexEveryField;
    private int smallestSizeSinceLastBlock = int.MaxValue;
    private bool sizeUpdatePending;

    /// <param name="tableSize">The table size both sides start with (the peer's limit is 4096 until its SETTINGS).</param>
    /// <param name="useHuffman">Huffman-code literals when that is shorter.</param>
    /// <param name="indexEveryField">Index every literal, as RFC 7541's examples do (for tests).</param>
    public HpackEncoder(int tableSize = PreferredTableSize, bool useHuffman = true, bool indexEveryField = false)
    {
        preferredTableSize = tableSize;
        this.useHuffman = useHuffman;
        this.indexEveryField = indexEveryField;
        table = new HpackDynamicTable(tableSize);
    }

    internal HpackDynamicTable Table => table;

    /// <summary>
    /// Applies the peer's SETTINGS_HEADER_TABLE_SIZE. The change is announced at the start of the next
    /// block, with the smallest size in between if it went down and up again (RFC 7541 section 4.2).
    /// </summary>
    public void SetPeerTableSizeLimit(int limit)
    {
        var size = Math.Min(preferredTableSize, limit);
        if (size == table.MaxSize && !sizeUpdatePending)
        {
            return;
        }

        smallestSizeSinceLastBlock = Math.Min(smallestSizeSinceLastBlock, size);
        sizeUpdatePending = true;
        table.SetMaxSize(size);
    }

    /// <summary>An upper bound for <see cref="Encode"/>'s output, to reserve space before encoding.</summary>
    public static int MaxEncodedLength(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        var length = 12; // two table size updates
        foreach (var field in fields)
        {
            length += 16 + field.Key.Length + field.Value.Length;
        }

        return length;
    }

    /// <summary>Encodes a whole block; <paramref name="destination"/> must hold <see cref="MaxEncodedLength"/> octets.</summary>
    public int Encode(IReadOnlyList<KeyValuePair<string, string>> fields, Span<byte> destination)
    {
        var position = 0;
        if (sizeUpdatePending)
        {
            if (smallestSizeSinceLastBlock < table.MaxSize)
            {
                position += HpackInteger.Encode(destination[position..], smallestSizeSinceLastBlock, 5, 0x20);
            }

            position += HpackInteger.Encode(destination[position..], table.MaxSize, 5, 0x20);
            sizeUpdatePending = false;
            smallestSizeSinceLastBlock = int.MaxValue;
        }

        foreach (var (name, value) in fields)
        {
            position += EncodeField(name, value, destination[position..]);
        }

        return position;
    }

    private int EncodeField(string name, string value, Span<byte> destination)
    {
        var staticIndex = HpackStaticTable.Find(name, value, out var staticExact);
        if (staticExact)
        {
            return HpackInteger.Encode(destination, staticIndex, 7, 0x80);
        }

        var dynamicPosition = table.Find(name, value, out var dynamicExact);
        var dynamicIndex = dynamicPosition + HpackStaticTable.Count + 1;
        if (dynamicExact)
        {
            return HpackInteger.Encode(destination, dynamicIndex, 7, 0x80);
        }

        var nameIndex = staticIndex != 0 ? staticIndex : dynamicPosition >= 0 ? dynamicIndex : 0;
        int position;
        var field = new HpackHeaderField(name, value);
        if (ShouldIndex(field))
        {
            position = HpackInteger.Encode(destination, nameIndex, 6, 0x40);
            table.Add(field);
        }
        else
        {
            position = HpackInteger.Encode(destination, nameIndex, 4, 0x00);
        }

        if (nameIndex == 0)
        {
            position += EncodeString(name, destination[position..]);
        }

        return position + EncodeString(value, destination[position..]);
    }

    /// <summary>Small recurring fields only: messages and binary metadata would just churn the table.</summary>
    private bool ShouldIndex(HpackHeaderField field) =>
        indexEveryField
        || (field.Size <= table.MaxSize / 4
        && !string.Equals(field.Name, "grpc-message", StringComparison.Ordinal)
        && !field.Name.EndsWith("-bin", StringComparison.Ordinal)
        && !string.Equals(field.Name, "authorization", StringComparison.Ordinal));

    /// <summary>A string literal, Huffman-coded when that is shorter.</summary>
    private int EncodeString(string value, Span<byte> destination)
    {
        var huffmanLength = useHuffman ? HpackHuffman.EncodedLength(value) : int.MaxValue;
        if (huffmanLength < value.Length)
        {
            var position = HpackInteger.Encode(destination, huffmanLength, 7, 0x80);
            return position + HpackHuffman.Encode(value, destination[position..]);
        }

        var written = HpackInteger.Encode(destination, value.Length, 7, 0x00);
        foreach (var c in value)
        {
            destination[written++] = HpackHuffman.ToOctet(c);
        }

        return written;
    }
}
