namespace Buildx.Core.Session.Ssh;

/// <summary>SSH wire data (RFC 4251 strings, integers, mpints) that ends early or holds impossible lengths.</summary>
internal sealed class SshWireFormatException : FormatException
{
    public SshWireFormatException(string message)
        : base(message)
    {
    }
}
