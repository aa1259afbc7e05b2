using System.Buffers.Binary;
using Buildx.Core.Session.Ssh.Keys;

namespace Buildx.Core.Session.Ssh.Agent;

/// <summary>
/// A read-only ssh-agent over keys loaded from files, as BuildKit serves key-file paths: it lists
/// its identities and signs with them; adding, removing, locking and extensions get FAILURE.
/// </summary>
public sealed class SshAgentKeyring : IDisposable
{
    private readonly IReadOnlyList<SshPrivateKey> keys;

    /// <summary>Takes ownership of <paramref name="keys"/>; they are listed in this order.</summary>
    public SshAgentKeyring(IReadOnlyList<SshPrivateKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        this.keys = keys;
    }

    public IReadOnlyList<SshPrivateKey> Keys => keys;

    /// <summary>How many signatures were made (for tests and diagnostics).</summary>
    public int Signatures => signatures;

    private int signatures;

    /// <summary>Answers one request body (type byte and contents) with a whole response, length prefix included.</summary>
    public byte[] Respond(ReadOnlySpan<byte> request)
    {
        byte[] body;
        try
        {
            body = request.IsEmpty ? Failure() : request[0] switch
            {
                SshAgentMessageType.RequestIdentities => ListIdentities(),
                SshAgentMessageType.SignRequest => Sign(request[1..].ToArray()),
                _ => Failure(),
            };
        }
        catch (Exception ex) when (ex is SshWireFormatException or System.Security.Cryptography.CryptographicException)
        {
            // A malformed request, or a signature the platform refuses (e.g. SHA-1 disabled by policy).
            body = Failure();
        }

        var framed = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)body.Length);
        body.CopyTo(framed, 4);
        return framed;
    }

    public void Dispose()
    {
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    private static byte[] Failure() => [SshAgentMessageType.Failure];

    private byte[] ListIdentities()
    {
        var writer = new SshWireWriter().WriteByte(SshAgentMessageType.IdentitiesAnswer).WriteUInt32((uint)keys.Count);
        foreach (var key in keys)
        {
            writer.WriteString(key.PublicKeyBlob).WriteString(key.Comment);
        }

        return writer.ToArray();
    }

    /// <summary>SSH_AGENTC_SIGN_REQUEST: string key blob, string data, uint32 flags.</summary>
    private byte[] Sign(byte[] contents)
    {
        var reader = new SshWireReader(contents);
        var blob = reader.ReadString();
        var data = reader.ReadString();
        var flags = (SshSignOptions)reader.ReadUInt32();
        if (!reader.AtEnd)
        {
            return Failure();
        }

        var key = keys.FirstOrDefault(k => k.PublicKeyBlob.AsSpan().SequenceEqual(blob.Span));
        if (key is null)
        {
            return Failure();
        }

        var signature = key.Sign(data.Span, flags);
        Interlocked.Increment(ref signatures);
        return new SshWireWriter().WriteByte(SshAgentMessageType.SignResponse).WriteString(signature).ToArray();
    }
}
