using Buildx.Core.BuildKit.Protocol.Fsutil;
using Google.Protobuf;

namespace Buildx.Core.Session.FileSend;

/// <summary>A decoded fsutil Packet whose <see cref="Data"/> and <see cref="Stat"/> still point into the received message.</summary>
internal readonly record struct WirePacket(Packet.Types.PacketType Type, uint Id, ReadOnlyMemory<byte> Data, Stat? Stat);

/// <summary>
/// Decodes the two message shapes FileSend/DiffCopy carries without copying payloads: DATA chunks
/// and tar bytes are written to disk straight from the received buffer. Only a STAT's small Stat
/// message goes through the generated parser.
/// </summary>
internal static class FileSendWire
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    /// <summary>Decodes an fsutil <c>Packet</c> (type = 1, stat = 2, ID = 3, data = 4).</summary>
    public static WirePacket ReadPacket(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        var position = 0;
        var type = 0UL;
        var id = 0UL;
        var data = ReadOnlyMemory<byte>.Empty;
        var statSlices = 0;
        var statSlice = ReadOnlyMemory<byte>.Empty;
        while (position < span.Length)
        {
            var tag = ReadVarint(span, ref position);
            var field = tag >> 3;
            var wireType = (int)(tag & 7);
            switch (field, wireType)
            {
                case (1, WireVarint):
                    type = ReadVarint(span, ref position);
                    break;
                case (2, WireLengthDelimited):
                    statSlice = ReadLengthDelimited(message, span, ref position);
                    statSlices++;
                    break;
                case (3, WireVarint):
                    id = ReadVarint(span, ref position);
                    break;
                case (4, WireLengthDelimited):
                    data = ReadLengthDelimited(message, span, ref position);
                    break;
                default:
                    Skip(message, span, wireType, ref position);
                    break;
            }
        }

        Stat? stat = statSlices switch
        {
            0 => null,
            1 => Parse(() => Stat.Parser.ParseFrom(statSlice.Span)),

            // Protobuf merges a repeated message field; leave that rare case to the generated parser.
            _ => Parse(() => Packet.Parser.ParseFrom(message.Span).Stat),
        };

        // Protobuf truncates an over-long varint to the field's 32-bit width.
        return new WirePacket((Packet.Types.PacketType)(int)type, (uint)id, data, stat);
    }

    /// <summary>Decodes a <c>BytesMessage</c> (data = 1).</summary>
    public static ReadOnlyMemory<byte> ReadBytesMessage(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        var position = 0;
        var data = ReadOnlyMemory<byte>.Empty;
        while (position < span.Length)
        {
            var tag = ReadVarint(span, ref position);
            var wireType = (int)(tag & 7);
            if (tag >> 3 == 1 && wireType == WireLengthDelimited)
            {
                data = ReadLengthDelimited(message, span, ref position);
            }
            else
            {
                Skip(message, span, wireType, ref position);
            }
        }

        return data;
    }

    private static Stat Parse(Func<Stat> parse)
    {
        try
        {
            return parse();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw FileSendErrors.Protocol("malformed Stat in a STAT packet: " + e.Message);
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        var value = 0UL;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length)
            {
                throw Malformed();
            }

            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Malformed();
    }

    private static ReadOnlyMemory<byte> ReadLengthDelimited(ReadOnlyMemory<byte> message, ReadOnlySpan<byte> span, ref int position)
    {
        var length = ReadVarint(span, ref position);
        if (length > (ulong)(span.Length - position))
        {
            throw Malformed();
        }

        var slice = message.Slice(position, (int)length);
        position += (int)length;
        return slice;
    }

    private static void Skip(ReadOnlyMemory<byte> message, ReadOnlySpan<byte> span, int wireType, ref int position)
    {
        switch (wireType)
        {
            case WireVarint:
                ReadVarint(span, ref position);
                break;
            case WireFixed64:
                Advance(span, 8, ref position);
                break;
            case WireLengthDelimited:
                ReadLengthDelimited(message, span, ref position);
                break;
            case WireFixed32:
                Advance(span, 4, ref position);
                break;
            default:
                throw Malformed();
        }
    }

    private static void Advance(ReadOnlySpan<byte> span, int count, ref int position)
    {
        if (span.Length - position < count)
        {
            throw Malformed();
        }

        position += count;
    }

    private static Grpc.GrpcStatusException Malformed() => FileSendErrors.Protocol("a message is not valid protobuf");
}
