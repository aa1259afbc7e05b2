namespace Buildx.Core.Session.Ssh.Agent;

/// <summary>The ssh-agent message numbers this agent reads or writes (draft-miller-ssh-agent, section 6.1).</summary>
internal static class SshAgentMessageType
{
    public const byte Failure = 5;
    public const byte RequestIdentities = 11;
    public const byte IdentitiesAnswer = 12;
    public const byte SignRequest = 13;
    public const byte SignResponse = 14;
}
