using System.Buffers;

namespace Buildx.Core.Session.Http2;

/// <summary>
/// A header block being collected from a HEADERS frame and its CONTINUATION frames, bounded in size
/// and frame count (empty CONTINUATION frames would otherwise cost the peer nothing). Pooled buffer.
/// </summary>
internal sealed class Http2HeaderBlockAssembly(int maxBlockSize, int maxContinuationFrames)
{
    private byte[] buffer = [];
    private int length;
    private int continuations;

    public bool InProgress { get; private set; }

    public int StreamId { get; private set; }

    /// <summary>The HEADERS frame carried END_STREAM.</summary>
    public bool EndStream { get; private set; }

    public ReadOnlySpan<byte> Block => buffer.AsSpan(0, length);

    /// <summary>
    /// Decodes the finished block and starts over. Every block is decoded, even one for a stream
    /// about to be refused or reset, so the HPACK table stays in sync with the peer's.
    /// </summary>
    /// <returns>False when the header list exceeded the decoder's limit.</returns>
    public bool DecodeAndReset(Hpack.HpackDecoder decoder, List<KeyValuePair<string, string>> fields)
    {
        try
        {
            return decoder.Decode(Block, fields);
        }
        catch (Hpack.HpackDecodingException error)
        {
            throw new Http2ConnectionException(Http2ErrorCode.CompressionError, error.Message);
        }
        finally
        {
            Reset();
        }
    }

    public void Begin(int streamId, bool endStream, ReadOnlySpan<byte> fragment)
    {
        InProgress = true;
        StreamId = streamId;
        EndStream = endStream;
        length = 0;
        continuations = 0;
        Add(fragment);
    }

    public void Append(ReadOnlySpan<byte> fragment)
    {
        if (++continuations > maxContinuationFrames)
        {
            throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm, "too many CONTINUATION frames");
        }

        Add(fragment);
    }

    public void Reset()
    {
        InProgress = false;
        length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }
    }

    private void Add(ReadOnlySpan<byte> fragment)
    {
        if (length + fragment.Length > maxBlockSize)
        {
            throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm, $"a header block larger than {maxBlockSize} octets");
        }

        if (length + fragment.Length > buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(length + fragment.Length, 4096));
            buffer.AsSpan(0, length).CopyTo(larger);
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            buffer = larger;
        }

        fragment.CopyTo(buffer.AsSpan(length));
        length += fragment.Length;
    }
}
