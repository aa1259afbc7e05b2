using System.Buffers.Binary;
using Buildx.Core.BuildKit.Protocol.Control;
using Buildx.Core.Session.Grpc;
using Buildx.Core.Tests.Session.Support;
using Google.Protobuf;

namespace Buildx.Core.Tests.Session.Tunnel;

public class BytesMessageCodecTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16383)]
    [InlineData(16384)]
    [InlineData(3 << 20)]
    public void A_hand_written_prefix_frames_a_BytesMessage_that_protobuf_parses(int length)
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        var prefix = new byte[BytesMessageFraming.MaxPrefixLength];

        var prefixLength = BytesMessageFraming.WritePrefix(prefix, length);
        byte[] framed = [.. prefix.AsSpan(0, prefixLength), .. payload];

        Assert.Equal(0, framed[0]);
        var messageLength = BinaryPrimitives.ReadInt32BigEndian(framed.AsSpan(1));
        Assert.Equal(framed.Length - 5, messageLength);
        Assert.Equal(payload, BytesMessage.Parser.ParseFrom(framed.AsSpan(5)).Data.ToByteArray());
    }

    [Fact]
    public void The_decoder_yields_the_payloads_however_the_input_is_split_and_skips_other_fields()
    {
        var stream = EncodedStream(out var expected);
        var random = new Random(5);
        foreach (var maxPiece in new[] { 1, 2, 3, 7, 100, stream.Length })
        {
            var decoder = new BytesMessageDecoder();
            var output = new List<byte>();
            for (var offset = 0; offset < stream.Length;)
            {
                var piece = Math.Min(stream.Length - offset, random.Next(1, maxPiece + 1));
                ReadOnlySpan<byte> input = stream.AsSpan(offset, piece);
                while (decoder.TryReadPayload(ref input, out var payload))
                {
                    output.AddRange(payload.ToArray());
                }

                Assert.True(input.IsEmpty);
                offset += piece;
            }

            Assert.Equal(expected, output);
            Assert.True(decoder.AtMessageBoundary);
        }
    }

    [Fact]
    public void The_decoder_knows_when_the_input_stops_inside_a_message()
    {
        var decoder = new BytesMessageDecoder();
        ReadOnlySpan<byte> input = RawHttp2Peer.GrpcMessage(new BytesMessage { Data = ByteString.CopyFromUtf8("abc") }.ToByteArray()).AsSpan(0, 7);

        while (decoder.TryReadPayload(ref input, out _))
        {
        }

        Assert.False(decoder.AtMessageBoundary);
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0, 0 }, "compressed")]
    [InlineData(new byte[] { 2, 0, 0, 0, 0 }, "flag")]
    [InlineData(new byte[] { 0, 0, 0, 0, 3, 0x0a, 5, 1 }, "longer than its message")]
    [InlineData(new byte[] { 0, 0, 0, 0, 2, 0x0b, 0 }, "wire type 3")]
    [InlineData(new byte[] { 0, 0, 0, 0, 1, 0x02 }, "field number 0")]
    [InlineData(new byte[] { 0, 0, 0, 0, 2, 0x15, 0 }, "past the end")]
    public void The_decoder_rejects_malformed_messages(byte[] bytes, string reason)
    {
        var decoder = new BytesMessageDecoder();

        var error = Assert.Throws<InvalidDataException>(() =>
        {
            ReadOnlySpan<byte> input = bytes;
            while (decoder.TryReadPayload(ref input, out _))
            {
            }
        });

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Messages with unknown fields of every wire type around field 1, an empty one, and a multi-octet length.</summary>
    private static byte[] EncodedStream(out List<byte> expectedPayloads)
    {
        var large = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        byte[] unknownFields =
        [
            0x10, 0x96, 0x01, // field 2, varint 150
            0x1a, 3, (byte)'x', (byte)'y', (byte)'z', // field 3, length-delimited
            0x25, 1, 2, 3, 4, // field 4, fixed32
            0x29, 1, 2, 3, 4, 5, 6, 7, 8, // field 5, fixed64
        ];
        byte[] first = [.. unknownFields, .. new BytesMessage { Data = ByteString.CopyFromUtf8("first") }.ToByteArray(), .. unknownFields];
        expectedPayloads = [.. "first"u8.ToArray(), .. large];
        return
        [
            .. RawHttp2Peer.GrpcMessage(first),
            .. RawHttp2Peer.GrpcMessage([]),
            .. RawHttp2Peer.GrpcMessage(new BytesMessage { Data = ByteString.CopyFrom(large) }.ToByteArray()),
            .. RawHttp2Peer.GrpcMessage(unknownFields),
        ];
    }
}
