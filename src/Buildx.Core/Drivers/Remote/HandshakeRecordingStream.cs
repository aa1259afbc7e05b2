using Buildx.Core.Transport;

namespace Buildx.Core.Drivers.Remote;

/// <summary>
/// Remembers the first bytes the server sent, so that a failed TLS handshake can tell a server
/// that speaks TLS (its records start with a content type 20–23 and version 3.x) from one that
/// speaks plaintext or closed the connection without a word.
/// </summary>
internal sealed class HandshakeRecordingStream(Stream inner) : DelegatingStream(inner)
{
    private readonly byte[] first = new byte[16];

    public int RecordedCount { get; private set; }

    public ReadOnlySpan<byte> Recorded => first.AsSpan(0, RecordedCount);

    /// <summary>True when the server's first bytes are a TLS record header.</summary>
    public bool ServerSpokeTls => RecordedCount >= 2 && first[0] is >= 20 and <= 23 && first[1] == 3;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (RecordedCount < first.Length && read > 0)
        {
            var take = Math.Min(read, first.Length - RecordedCount);
            buffer.Span[..take].CopyTo(first.AsSpan(RecordedCount));
            RecordedCount += take;
        }

        return read;
    }
}
