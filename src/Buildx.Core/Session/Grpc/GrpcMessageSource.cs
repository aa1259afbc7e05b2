using System.Buffers;
using System.Buffers.Binary;
using Buildx.Core.Session.Http2;
using Google.Protobuf;

namespace Buildx.Core.Session.Grpc;

/// <summary>
/// One outgoing gRPC message as an HTTP/2 data source: the 5-octet prefix (uncompressed flag and
/// big-endian length) followed by the protobuf encoding, written straight into the connection's frames.
/// </summary>
internal sealed class GrpcMessageSource : IHttp2DataSource
{
    public const int PrefixLength = 5;

    private IMessage? message;
    private int messageLength;

    public int Length => PrefixLength + messageLength;

    public void Set(IMessage value, int serializedSize)
    {
        message = value;
        messageLength = serializedSize;
    }

    public void Clear() => message = null;

    public void WriteTo(IBufferWriter<byte> destination)
    {
        Span<byte> prefix = stackalloc byte[PrefixLength];
        prefix[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)messageLength);
        // The space handed out may end inside the prefix (it does not with 16 KiB frames, but need not rely on it).
        while (!prefix.IsEmpty)
        {
            var span = destination.GetSpan();
            var chunk = Math.Min(span.Length, prefix.Length);
            prefix[..chunk].CopyTo(span);
            destination.Advance(chunk);
            prefix = prefix[chunk..];
        }

        if (messageLength > 0)
        {
            message!.WriteTo(destination);
        }
    }
}
