using System.Buffers;

namespace Buildx.Core.Session.Http2;

/// <summary>
/// The request bytes of one stream that arrived but were not read yet: a queue of pooled 64 KiB
/// segments. Not thread-safe; the stream guards it. Its size is bounded by the stream's receive window.
/// </summary>
internal sealed class Http2InboundBuffer
{
    private const int SegmentSize = 64 * 1024;

    private Segment[] ring = new Segment[4];
    private int head;
    private int count;

    public int Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (count == 0 || ring[Tail].End == SegmentSize)
            {
                Push(new Segment(ArrayPool<byte>.Shared.Rent(SegmentSize)));
            }

            ref var tail = ref ring[Tail];
            var chunk = Math.Min(data.Length, SegmentSize - tail.End);
            data[..chunk].CopyTo(tail.Array.AsSpan(tail.End));
            tail.End += chunk;
            Length += chunk;
            data = data[chunk..];
        }
    }

    /// <summary>Moves up to <paramref name="destination"/>'s length of bytes out; returns how many.</summary>
    public int Read(Span<byte> destination)
    {
        var copied = 0;
        while (copied < destination.Length && count > 0)
        {
            ref var first = ref ring[head];
            var chunk = Math.Min(destination.Length - copied, first.End - first.Start);
            first.Array.AsSpan(first.Start, chunk).CopyTo(destination[copied..]);
            first.Start += chunk;
            copied += chunk;
            if (first.Start == first.End)
            {
                if (count == 1)
                {
                    // Keep the last segment: a steady stream then reuses one array.
                    first.Start = first.End = 0;
                    break;
                }

                ArrayPool<byte>.Shared.Return(first.Array);
                first = default;
                head = (head + 1) % ring.Length;
                count--;
            }
        }

        Length -= copied;
        return copied;
    }

    /// <summary>Drops everything and returns the segments to the pool; returns the bytes dropped.</summary>
    public int Release()
    {
        var dropped = Length;
        for (var i = 0; i < count; i++)
        {
            ref var segment = ref ring[(head + i) % ring.Length];
            ArrayPool<byte>.Shared.Return(segment.Array);
            segment = default;
        }

        head = 0;
        count = 0;
        Length = 0;
        return dropped;
    }

    private int Tail => (head + count - 1) % ring.Length;

    private void Push(Segment segment)
    {
        if (count == ring.Length)
        {
            var larger = new Segment[ring.Length * 2];
            for (var i = 0; i < count; i++)
            {
                larger[i] = ring[(head + i) % ring.Length];
            }

            ring = larger;
            head = 0;
        }

        ring[(head + count) % ring.Length] = segment;
        count++;
    }

    private struct Segment(byte[] array)
    {
        public byte[] Array = array;
        public int Start;
        public int End;
    }
}
