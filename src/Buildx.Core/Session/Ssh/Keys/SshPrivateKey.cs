namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>
/// A private key held by the in-process agent: its public key blob (RFC 4253 encoding, as
/// <c>ssh-add -L</c> shows it base64-encoded) and signatures in SSH signature encoding.
/// </summary>
public abstract class SshPrivateKey : IDisposable
{
    protected SshPrivateKey(string comment) => Comment = comment;

    /// <summary>The SSH key type, e.g. <c>ssh-ed25519</c>, <c>ecdsa-sha2-nistp256</c>, <c>ssh-rsa</c>.</summary>
    public abstract string KeyType { get; }

    /// <summary>The public key as the agent lists it (string key type, then the type's fields).</summary>
    public abstract byte[] PublicKeyBlob { get; }

    /// <summary>The comment the agent lists with the key: the key file's comment, or its path.</summary>
    public string Comment { get; }

    /// <summary>Signs <paramref name="data"/>; the result is an SSH signature blob (string algorithm, string signature).</summary>
    public abstract byte[] Sign(ReadOnlySpan<byte> data, SshSignOptions flags);

    /// <summary>The public key line form, <c>type base64 comment</c>, as in a .pub file.</summary>
    public override string ToString() => $"{KeyType} {Convert.ToBase64String(PublicKeyBlob)} {Comment}".TrimEnd();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
