using Buildx.Core.BuildKit.Protocol.Fsutil;
using Buildx.Core.Session.FileSync;
using Google.Protobuf;
using PacketType = Buildx.Core.BuildKit.Protocol.Fsutil.Packet.Types.PacketType;

namespace Buildx.Core.Tests.Session.FileSync;

public class DataPacketHeadTests
{
    [Theory]
    [InlineData(0u, 0)]
    [InlineData(0u, 1)]
    [InlineData(1u, 0)]
    [InlineData(127u, 127)]
    [InlineData(128u, 128)]
    [InlineData(300u, 4096)]
    [InlineData(16_384u, 1024 * 1024)]
    [InlineData(uint.MaxValue, 3 * 1024 * 1024)]
    public void Head_and_content_encode_exactly_as_the_generated_message(uint id, int length)
    {
        var data = new byte[length];
        Random.Shared.NextBytes(data);
        Span<byte> head = stackalloc byte[DataPacketHead.MaxLength];

        var headLength = DataPacketHead.Write(head, id, length);

        var expected = new Packet { Type = PacketType.PacketData, ID = id, Data = ByteString.CopyFrom(data) }.ToByteArray();
        byte[] actual = [.. head[..headLength], .. data];
        Assert.Equal(expected, actual);
    }
}
