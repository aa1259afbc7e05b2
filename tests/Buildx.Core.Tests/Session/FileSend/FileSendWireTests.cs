using Buildx.Core.BuildKit.Protocol.FileSync;
using Buildx.Core.BuildKit.Protocol.Fsutil;
using Buildx.Core.Session.FileSend;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;
using PacketType = Buildx.Core.BuildKit.Protocol.Fsutil.Packet.Types.PacketType;
using Buildx.Core.Session;

namespace Buildx.Core.Tests.Session.FileSend;

public class FileSendWireTests
{
    [Fact]
    public void Decodes_a_data_packet_without_copying_the_payload()
    {
        var bytes = new Packet { Type = PacketType.PacketData, ID = 300_000, Data = ByteString.CopyFromUtf8("chunk") }.ToByteArray();

        var packet = FileSendWire.ReadPacket(bytes);

        Assert.Equal(PacketType.PacketData, packet.Type);
        Assert.Equal(300_000u, packet.Id);
        Assert.Equal("chunk"u8.ToArray(), packet.Data.ToArray());
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(packet.Data, out var segment) && ReferenceEquals(segment.Array, bytes));
        Assert.Null(packet.Stat);
    }

    [Fact]
    public void Decodes_a_stat_packet()
    {
        var stat = new Stat { Path = "a/b", Mode = GoFileMode.Directory | 0x1ED, ModTime = -5, Linkname = "x", Xattrs = { ["user.k"] = ByteString.CopyFromUtf8("v") } };
        var bytes = new Packet { Type = PacketType.PacketStat, Stat = stat }.ToByteArray();

        var packet = FileSendWire.ReadPacket(bytes);

        Assert.Equal(PacketType.PacketStat, packet.Type);
        Assert.Equal(stat, packet.Stat);
    }

    [Fact]
    public void An_empty_message_is_the_end_of_listing_stat()
    {
        var packet = FileSendWire.ReadPacket(ReadOnlyMemory<byte>.Empty);

        Assert.Equal(PacketType.PacketStat, packet.Type);
        Assert.Null(packet.Stat);
        Assert.True(packet.Data.IsEmpty);
    }

    [Fact]
    public void Skips_unknown_fields()
    {
        var known = new Packet { Type = PacketType.PacketFin, ID = 7 }.ToByteArray();

        // field 9 varint, field 10 length-delimited, field 11 fixed32, field 12 fixed64
        byte[] unknown = [0x48, 0x96, 0x01, 0x52, 0x02, 0xAA, 0xBB, 0x5D, 1, 2, 3, 4, 0x61, 1, 2, 3, 4, 5, 6, 7, 8];
        var packet = FileSendWire.ReadPacket(unknown.Concat(known).ToArray());

        Assert.Equal(PacketType.PacketFin, packet.Type);
        Assert.Equal(7u, packet.Id);
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0x05, 1, 2 })]           // data longer than the message
    [InlineData(new byte[] { 0x08 })]                        // tag without value
    [InlineData(new byte[] { 0x0B })]                        // group wire type
    [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // varint too long
    public void Malformed_bytes_are_a_protocol_error(byte[] bytes)
    {
        var error = Assert.Throws<GrpcStatusException>(() => FileSendWire.ReadPacket(bytes));

        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public void Decodes_a_bytes_message()
    {
        var bytes = new BytesMessage { Data = ByteString.CopyFrom(1, 2, 3) }.ToByteArray();

        Assert.Equal([1, 2, 3], FileSendWire.ReadBytesMessage(bytes).ToArray());
        Assert.True(FileSendWire.ReadBytesMessage(ReadOnlyMemory<byte>.Empty).IsEmpty);
    }
}
