namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>The flags of an agent sign request (draft-miller-ssh-agent, section 5.3): RSA hash choice.</summary>
[Flags]
public enum SshSignOptions : uint
{
    None = 0,
    RsaSha256 = 2,
    RsaSha512 = 4,
}
