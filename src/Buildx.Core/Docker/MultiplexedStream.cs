using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Buildx.Core.Docker;

/// <summary>
/// A connection carrying docker's multiplexed output (exec attach with <c>Tty=false</c>,
/// container logs): frames of an 8-byte header <c>[stream, 0, 0, 0, size (uint32, big-endian)]</c>
/// and a payload. Reads return the STDOUT payloads only, so the stream can carry a protocol
/// such as gRPC; STDERR is cut into lines for a callback and the last lines are kept for error
/// messages. Writes go unframed to the process's stdin.
/// </summary>
public sealed class MultiplexedStream : Stream
{
    private const int HeaderSize = 8;
    private const byte StdoutFrame = 1;
    private const int MaxKeptLines = 64;
    private const int MaxLineLength = 8192;

    private readonly Stream inner;
    private readonly Action<string>? onStderrLine;
    private readonly byte[] header = new byte[HeaderSize];
    private readonly Queue<string> keptLines = new();
    private readonly StringBuilder partialLine = new();
    private readonly Decoder stderrDecoder = Encoding.UTF8.GetDecoder();
    private long stdoutRemaining;
    private bool ended;

    /// <param name="inner">The hijacked connection (or a response body, for logs).</param>
    /// <param name="description">What the stream is, for messages (after "the"): "exec of 'buildctl dial-stdio' in container 'x'".</param>
    /// <param name="onStderrLine">Gets each STDERR line as it arrives, for diagnostics.</param>
    public MultiplexedStream(Stream inner, string description, Action<string>? onStderrLine = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        this.inner = inner;
        Description = description;
        this.onStderrLine = onStderrLine;
    }

    public string Description { get; }

    /// <summary>True once any STDOUT byte has been read.</summary>
    public bool ReceivedStdout { get; private set; }

    /// <summary>The last STDERR lines (at most 64), oldest first.</summary>
    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (keptLines)
            {
                return keptLines.ToArray();
            }
        }
    }

    /// <summary>
    /// Makes a stream that ends before any STDOUT byte fail instead of ending cleanly: given the
    /// STDERR lines, it returns the error to raise (or null to end cleanly). A dial-stdio exec that
    /// dies at once says why only on STDERR, and gRPC would otherwise report a bare "connection closed".
    /// </summary>
    public Func<IReadOnlyList<string>, Exception?>? ErrorWhenEndedWithoutOutput { get; set; }

    public override bool CanRead => true;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            if (stdoutRemaining > 0)
            {
                var wanted = (int)Math.Min(buffer.Length, stdoutRemaining);
                var read = await inner.ReadAsync(buffer[..wanted], cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"The {Description} closed in the middle of an output frame.");
                }

                stdoutRemaining -= read;
                ReceivedStdout = true;
                return read;
            }

            if (ended)
            {
                return 0;
            }

            if (!await ReadHeaderAsync(cancellationToken).ConfigureAwait(false))
            {
                ended = true;
                FlushPartialLine();
                if (!ReceivedStdout && ErrorWhenEndedWithoutOutput?.Invoke(StderrLines) is { } error)
                {
                    throw error;
                }

                return 0;
            }

            var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            if (header[0] == StdoutFrame)
            {
                stdoutRemaining = size;
            }
            else
            {
                // STDERR, and the engine's own error frames (stream 3): both are diagnostics.
                await ReadStderrAsync(size, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
        => ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    /// <summary>
    /// Half-closes the connection: the process sees end-of-file on stdin while its output can
    /// still be read. Returns false when the transport cannot half-close (a named pipe).
    /// </summary>
    public bool CloseWrite()
    {
        if (inner is NetworkStream network)
        {
            network.Socket.Shutdown(SocketShutdown.Send);
            return true;
        }

        if (inner is Transport.PolledSocketStream polled)
        {
            polled.Socket.Shutdown(SocketShutdown.Send);
            return true;
        }

        return false;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads one frame header; false at a clean end of stream (between frames).</summary>
    private async Task<bool> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < HeaderSize)
        {
            var read = await inner.ReadAsync(header.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return filled == 0 ? false : throw new IOException($"The {Description} closed in the middle of a frame header.");
            }

            filled += read;
        }

        return true;
    }

    private async Task ReadStderrAsync(uint size, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(4096));
        try
        {
            var remaining = (long)size;
            while (remaining > 0)
            {
                var read = await inner.ReadAsync(buffer.AsMemory(0, (int)Math.Min(4096, remaining)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"The {Description} closed in the middle of an error frame.");
                }

                remaining -= read;
                var count = stderrDecoder.GetChars(buffer, 0, read, chars, 0);
                AppendStderr(chars.AsSpan(0, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private void AppendStderr(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c == '\n')
            {
                FlushPartialLine();
            }
            else if (partialLine.Length < MaxLineLength)
            {
                partialLine.Append(c);
            }
        }
    }

    private void FlushPartialLine()
    {
        if (partialLine.Length == 0)
        {
            return;
        }

        var line = partialLine.ToString().TrimEnd('\r');
        partialLine.Clear();
        lock (keptLines)
        {
            keptLines.Enqueue(line);
            while (keptLines.Count > MaxKeptLines)
            {
                keptLines.Dequeue();
            }
        }

        onStderrLine?.Invoke(line);
    }
}
