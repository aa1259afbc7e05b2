namespace Buildx.Core.Session.FileSync;

/// <summary>
/// The protobuf encoding of an fsutil DATA packet up to its content: Type (field 1), ID (field 3) and the
/// tag and length of Data (field 4), in field order, as <c>Packet.ToByteArray()</c> lays them out. The file's
/// bytes follow as they are, so a chunk is never serialized into a message of its own.
/// </summary>
internal static class DataPacketHead
{
    /// <summary>Enough for every head: two tags, a one-byte type and two 5-byte varints.</summary>
    public const int MaxLength = 16;

    private const byte TypeTag = (1 << 3) | 0;
    private const byte IdTag = (3 << 3) | 0;
    private const byte DataTag = (4 << 3) | 2;
    private const byte PacketData = 2;

    /// <summary>Writes the head of DATA{<paramref name="id"/>} carrying <paramref name="dataLength"/> bytes; returns its length.</summary>
    public static int Write(Span<byte> destination, uint id, int dataLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataLength);
        var length = 0;
        destination[length++] = TypeTag;
        destination[length++] = PacketData;
        if (id != 0)
        {
            // proto3 leaves out fields at their default value.
            destination[length++] = IdTag;
            length += WriteVarint(destination[length..], id);
        }

        if (dataLength > 0)
        {
            destination[length++] = DataTag;
            length += WriteVarint(destination[length..], (uint)dataLength);
        }

        return length;
    }

    private static int WriteVarint(Span<byte> destination, uint value)
    {
        var length = 0;
        while (value >= 0x80)
        {
            destination[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[length++] = (byte)value;
        return length;
    }
}
