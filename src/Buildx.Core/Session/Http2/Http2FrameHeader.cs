using System.Buffers.Binary;

namespace Buildx.Core.Session.Http2;

/// <summary>The fixed 9-octet header in front of every frame (RFC 9113 section 4.1).</summary>
internal readonly record struct Http2FrameHeader(int Length, Http2FrameType Type, Http2FrameFlags Flags, int StreamId)
{
    public const int Size = 9;

    /// <summary>The largest value the 24-bit length field can carry.</summary>
    public const int MaxLength = (1 << 24) - 1;

    public bool HasFlag(Http2FrameFlags flag) => (Flags & flag) == flag;

    /// <summary>Reads a header; the reserved bit in front of the stream identifier is ignored, as required.</summary>
    public static Http2FrameHeader Read(ReadOnlySpan<byte> source)
    {
        var length = (source[0] << 16) | (source[1] << 8) | source[2];
        var streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(source[5..]) & 0x7fffffffu);
        return new Http2FrameHeader(length, (Http2FrameType)source[3], (Http2FrameFlags)source[4], streamId);
    }

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = (byte)Type;
        destination[4] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)StreamId & 0x7fffffffu);
    }
}
