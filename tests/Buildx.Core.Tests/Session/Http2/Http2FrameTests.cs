using Buildx.Core.Session.Http2;
using Buildx.Core.Tests.Session.Support;

namespace Buildx.Core.Tests.Session.Http2;

public class Http2FrameTests
{
    [Fact]
    public void A_frame_header_round_trips_and_ignores_the_reserved_bit()
    {
        var header = new Http2FrameHeader(0x123456, Http2FrameType.Headers, Http2FrameFlags.EndHeaders | Http2FrameFlags.Padded, 0x7ffffffd);
        var bytes = new byte[Http2FrameHeader.Size];

        header.WriteTo(bytes);

        Assert.Equal("1234560" + "10c7ffffffd", Convert.ToHexString(bytes).ToLowerInvariant());
        bytes[5] |= 0x80;
        Assert.Equal(header, Http2FrameHeader.Read(bytes));
    }

    [Fact]
    public void Control_frames_have_their_fixed_layouts()
    {
        var buffer = new byte[64];

        Assert.Equal("000008060100000000" + "0102030405060708", Hex(buffer, Http2FrameWriter.WritePing(buffer, ack: true, 0x0102030405060708)));
        Assert.Equal("000004080000000003" + "00010000", Hex(buffer, Http2FrameWriter.WriteWindowUpdate(buffer, 3, 65536)));
        Assert.Equal("000004030000000005" + "00000008", Hex(buffer, Http2FrameWriter.WriteRstStream(buffer, 5, Http2ErrorCode.Cancel)));
        Assert.Equal("000000040100000000", Hex(buffer, Http2FrameWriter.WriteSettingsAck(buffer)));
        Assert.Equal(
            "00000c040000000000" + "000400100000" + "000500004000",
            Hex(buffer, Http2FrameWriter.WriteSettings(buffer, [new(Http2SettingId.InitialWindowSize, 1 << 20), new(Http2SettingId.MaxFrameSize, 16384)])));
        Assert.Equal(
            "00000a070000000000" + "00000007" + "00000001" + "6869",
            Hex(buffer, Http2FrameWriter.WriteGoAway(buffer, 7, Http2ErrorCode.ProtocolError, "hi"u8)));
    }

    [Fact]
    public void A_large_header_block_is_split_into_HEADERS_and_CONTINUATION_frames()
    {
        var block = Enumerable.Range(0, 40000).Select(i => (byte)i).ToArray();
        var buffer = new byte[Http2FrameWriter.HeaderBlockFramedLength(block.Length, 16384)];

        var written = Http2FrameWriter.WriteHeaderBlock(buffer, 9, block, endStream: true, maxFrameSize: 16384);

        Assert.Equal(buffer.Length, written);
        var first = Http2FrameHeader.Read(buffer);
        Assert.Equal(new Http2FrameHeader(16384, Http2FrameType.Headers, Http2FrameFlags.EndStream, 9), first);
        var second = Http2FrameHeader.Read(buffer.AsSpan(9 + 16384));
        Assert.Equal(new Http2FrameHeader(16384, Http2FrameType.Continuation, Http2FrameFlags.None, 9), second);
        var third = Http2FrameHeader.Read(buffer.AsSpan(2 * (9 + 16384)));
        Assert.Equal(new Http2FrameHeader(40000 - 32768, Http2FrameType.Continuation, Http2FrameFlags.EndHeaders, 9), third);
    }

    [Fact]
    public async Task The_reader_reassembles_frames_delivered_one_byte_at_a_time()
    {
        var pipe = new BytePipe();
        var reader = new Http2FrameReader(new DuplexPipeStream(pipe, new BytePipe()), 16384);
        var frames = Http2FrameReader.ClientPreface.ToArray()
            .Concat(RawHttp2Peer.Frame(Http2FrameType.Data, Http2FrameFlags.EndStream, 1, new byte[100]))
            .Concat(RawHttp2Peer.Frame(Http2FrameType.Ping, Http2FrameFlags.None, 0, new byte[8]))
            .ToArray();
        foreach (var b in frames)
        {
            pipe.Write([b]);
        }

        pipe.Complete();

        await reader.ReadPrefaceAsync(CancellationToken.None);
        var data = await reader.ReadFrameAsync(CancellationToken.None);
        Assert.Equal(new Http2FrameHeader(100, Http2FrameType.Data, Http2FrameFlags.EndStream, 1), data!.Value.Header);
        Assert.Equal(100, data.Value.Payload.Length);
        var ping = await reader.ReadFrameAsync(CancellationToken.None);
        Assert.Equal(Http2FrameType.Ping, ping!.Value.Type);
        Assert.Null(await reader.ReadFrameAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_reader_rejects_a_frame_above_the_maximum_size_before_reading_it()
    {
        var pipe = new BytePipe();
        var reader = new Http2FrameReader(new DuplexPipeStream(pipe, new BytePipe()), 16384);
        var header = new byte[Http2FrameHeader.Size];
        new Http2FrameHeader(16385, Http2FrameType.Data, Http2FrameFlags.None, 1).WriteTo(header);
        pipe.Write(header);

        var error = await Assert.ThrowsAsync<Http2ConnectionException>(() => reader.ReadFrameAsync(CancellationToken.None).AsTask());

        Assert.Equal(Http2ErrorCode.FrameSizeError, error.ErrorCode);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")]
    public async Task The_reader_rejects_a_wrong_preface_as_soon_as_it_differs(string text)
    {
        var pipe = new BytePipe();
        var reader = new Http2FrameReader(new DuplexPipeStream(pipe, new BytePipe()), 16384);
        pipe.Write(System.Text.Encoding.ASCII.GetBytes(text));

        var error = await Assert.ThrowsAsync<Http2ConnectionException>(() => reader.ReadPrefaceAsync(CancellationToken.None).AsTask())
            .WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(Http2ErrorCode.ProtocolError, error.ErrorCode);
    }

    private static string Hex(byte[] buffer, int length) => Convert.ToHexString(buffer, 0, length).ToLowerInvariant();
}
