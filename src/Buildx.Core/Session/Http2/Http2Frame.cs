namespace Buildx.Core.Session.Http2;

/// <summary>A received frame. The payload lives in the reader's buffer and is valid until the next read.</summary>
internal readonly record struct Http2Frame(Http2FrameHeader Header, ReadOnlyMemory<byte> Payload)
{
    public Http2FrameType Type => Header.Type;

    public int StreamId => Header.StreamId;

    public bool HasFlag(Http2FrameFlags flag) => Header.HasFlag(flag);
}
