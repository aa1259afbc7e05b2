using System.Buffers.Binary;

namespace Buildx.Core.Session.Ssh.Agent;

/// <summary>
/// Cuts the agent byte stream into requests (uint32 length, then that many bytes), whatever way
/// the stream was split: a request may span several chunks, and one chunk may hold several requests.
/// </summary>
internal sealed class SshAgentRequestFramer
{
    /// <summary>OpenSSH's agent refuses messages above 256 KiB; so does this one.</summary>
    public const int MaxMessageLength = 256 * 1024;

    private byte[] pending = new byte[1024];
    private int start;
    private int count;

    public void Append(ReadOnlySpan<byte> chunk)
    {
        if (start + count + chunk.Length > pending.Length)
        {
            var grown = new byte[Math.Max(pending.Length, count + chunk.Length) * 2];
            pending.AsSpan(start, count).CopyTo(grown);
            pending = grown;
            start = 0;
        }

        chunk.CopyTo(pending.AsSpan(start + count));
        count += chunk.Length;
    }

    /// <summary>
    /// Takes the next whole request's body, or returns false while it is incomplete. A zero or
    /// oversized length throws <see cref="SshWireFormatException"/>: the peer is not speaking the agent protocol.
    /// </summary>
    public bool TryTake(out byte[] request)
    {
        request = [];
        if (count < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(pending.AsSpan(start, 4));
        if (length is 0 or > MaxMessageLength)
        {
            throw new SshWireFormatException($"an agent message of {length} bytes (1 to {MaxMessageLength} accepted).");
        }

        if (count - 4 < length)
        {
            return false;
        }

        request = pending.AsSpan(start + 4, (int)length).ToArray();
        start += 4 + (int)length;
        count -= 4 + (int)length;
        if (count == 0)
        {
            start = 0;
        }

        return true;
    }
}
