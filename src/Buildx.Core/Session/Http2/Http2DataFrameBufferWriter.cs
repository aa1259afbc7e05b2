using System.Buffers;

namespace Buildx.Core.Session.Http2;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over the output buffer that lays a payload of known length out as
/// consecutive DATA frames: it writes each frame header and hands out the frame's payload space.
/// Reused for every such write, under the output lock.
/// </summary>
internal sealed class Http2DataFrameBufferWriter : IBufferWriter<byte>
{
    private byte[] buffer = [];
    private int streamId;
    private int maxFrameSize;
    private int totalLength;
    private int written;
    private int position;
    private int frameEnd;

    /// <summary>The buffer bytes a payload of <paramref name="length"/> takes once framed.</summary>
    public static int FramedLength(int length, int maxFrameSize)
    {
        var frames = Math.Max(1, (length + maxFrameSize - 1) / maxFrameSize);
        return length + (frames * Http2FrameHeader.Size);
    }

    public void Start(byte[] destination, int offset, int stream, int frameSize, int length)
    {
        buffer = destination;
        streamId = stream;
        maxFrameSize = frameSize;
        totalLength = length;
        written = 0;
        StartFrame(offset);
    }

    /// <summary>Checks the payload wrote what it announced; returns the framed length.</summary>
    public int Finish(int offset)
    {
        if (written != totalLength)
        {
            throw new InvalidOperationException($"The payload wrote {written} bytes but announced {totalLength}.");
        }

        buffer = [];
        return frameEnd - offset;
    }

    public void Advance(int count)
    {
        if (count < 0 || position + count > frameEnd)
        {
            throw new InvalidOperationException("Advanced past the space that was handed out.");
        }

        position += count;
        written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => buffer.AsMemory(NextSpace(sizeHint), frameEnd - position);

    public Span<byte> GetSpan(int sizeHint = 0) => buffer.AsSpan(NextSpace(sizeHint), frameEnd - position);

    /// <summary>Moves to the next frame when the current one is full; returns where free space starts.</summary>
    private int NextSpace(int sizeHint)
    {
        if (position == frameEnd)
        {
            if (written == totalLength)
            {
                throw new InvalidOperationException($"The payload writes more than the {totalLength} bytes it announced.");
            }

            StartFrame(frameEnd);
        }

        if (sizeHint > frameEnd - position)
        {
            // Frames split the space; writers must accept smaller spans (protobuf does).
            throw new InvalidOperationException($"Cannot hand out {sizeHint} contiguous bytes inside a DATA frame.");
        }

        return position;
    }

    private void StartFrame(int offset)
    {
        var length = Math.Min(maxFrameSize, totalLength - written);
        new Http2FrameHeader(length, Http2FrameType.Data, Http2FrameFlags.None, streamId).WriteTo(buffer.AsSpan(offset));
        position = offset + Http2FrameHeader.Size;
        frameEnd = position + length;
    }
}
