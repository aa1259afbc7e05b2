using Buildx.Core.Session.Http2.Hpack;

namespace Buildx.Core.Tests.Session.Http2;

/// <summary>RFC 7541 Appendix C, decoded and (where the representation is ours to choose) encoded.</summary>
public class HpackTests
{
    private static readonly KeyValuePair<string, string>[] Request1 =
    [
        new(":method", "GET"), new(":scheme", "http"), new(":path", "/"), new(":authority", "www.example.com"),
    ];

    private static readonly KeyValuePair<string, string>[] Request2 =
    [
        new(":method", "GET"), new(":scheme", "http"), new(":path", "/"), new(":authority", "www.example.com"),
        new("cache-control", "no-cache"),
    ];

    private static readonly KeyValuePair<string, string>[] Request3 =
    [
        new(":method", "GET"), new(":scheme", "https"), new(":path", "/index.html"), new(":authority", "www.example.com"),
        new("custom-key", "custom-value"),
    ];

    private static readonly KeyValuePair<string, string>[] Response1 =
    [
        new(":status", "302"), new("cache-control", "private"), new("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
        new("location", "https://www.example.com"),
    ];

    private static readonly KeyValuePair<string, string>[] Response2 =
    [
        new(":status", "307"), new("cache-control", "private"), new("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
        new("location", "https://www.example.com"),
    ];

    private static readonly KeyValuePair<string, string>[] Response3 =
    [
        new(":status", "200"), new("cache-control", "private"), new("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
        new("location", "https://www.example.com"), new("content-encoding", "gzip"),
        new("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"),
    ];

    // C.3 and C.4: the same requests without and with Huffman coding.
    private const string C31 = "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d";
    private const string C32 = "8286 84be 5808 6e6f 2d63 6163 6865";
    private const string C33 = "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65";
    private const string C41 = "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff";
    private const string C42 = "8286 84be 5886 a8eb 1064 9cbf";
    private const string C43 = "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf";

    // C.5 and C.6: responses with a 256-octet table, so entries get evicted.
    private const string C51 = "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d";
    private const string C52 = "4803 3330 37c1 c0bf";
    private const string C53 = "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31";
    private const string C61 = "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3";
    private const string C62 = "4883 640e ffc1 c0bf";
    private const string C63 = "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07";

    internal static byte[] Hex(string text) => Convert.FromHexString(text.Replace(" ", "", StringComparison.Ordinal));

    [Theory]
    [InlineData(10, 5, "0a")]
    [InlineData(1337, 5, "1f9a0a")]
    [InlineData(42, 8, "2a")]
    public void Integers_follow_appendix_C1(int value, int prefixBits, string hex)
    {
        var buffer = new byte[8];
        var written = HpackInteger.Encode(buffer, value, prefixBits, 0);
        Assert.Equal(hex, Convert.ToHexString(buffer, 0, written).ToLowerInvariant());
        Assert.Equal(written, HpackInteger.EncodedLength(value, prefixBits));
        var position = 0;
        Assert.Equal(value, HpackInteger.Decode(Hex(hex), ref position, prefixBits, int.MaxValue));
        Assert.Equal(written, position);
    }

    [Theory]
    [InlineData("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572", "custom-key", "custom-header", 55)]
    [InlineData("040c 2f73 616d 706c 652f 7061 7468", ":path", "/sample/path", 0)]
    [InlineData("1008 7061 7373 776f 7264 0673 6563 7265 74", "password", "secret", 0)]
    [InlineData("82", ":method", "GET", 0)]
    public void Single_representations_follow_appendix_C2(string hex, string name, string value, int tableSize)
    {
        var decoder = new HpackDecoder(4096, 65536);
        var fields = new List<KeyValuePair<string, string>>();

        Assert.True(decoder.Decode(Hex(hex), fields));

        Assert.Equal([new(name, value)], fields);
        Assert.Equal(tableSize, decoder.Table.Size);
    }

    [Theory]
    [InlineData(C31, C32, C33)]
    [InlineData(C41, C42, C43)]
    public void Request_sequences_decode_per_C3_and_C4(string first, string second, string third)
    {
        var decoder = new HpackDecoder(4096, 65536);

        AssertBlock(decoder, first, Request1, 57);
        AssertBlock(decoder, second, Request2, 110);
        AssertBlock(decoder, third, Request3, 164);
        Assert.Equal(new HpackHeaderField("custom-key", "custom-value"), decoder.Table[0]);
        Assert.Equal(new HpackHeaderField(":authority", "www.example.com"), decoder.Table[2]);
    }

    [Theory]
    [InlineData(C51, C52, C53)]
    [InlineData(C61, C62, C63)]
    public void Response_sequences_with_eviction_decode_per_C5_and_C6(string first, string second, string third)
    {
        var decoder = new HpackDecoder(256, 65536);

        AssertBlock(decoder, first, Response1, 222);
        AssertBlock(decoder, second, Response2, 222);
        AssertBlock(decoder, third, Response3, 215);
        Assert.Equal(3, decoder.Table.Count);
        Assert.Equal("set-cookie", decoder.Table[0].Name);
    }

    [Fact]
    public void The_encoder_reproduces_C3_without_Huffman()
    {
        var encoder = new HpackEncoder(useHuffman: false, indexEveryField: true);

        Assert.Equal(C31, Encode(encoder, Request1));
        Assert.Equal(C32, Encode(encoder, Request2));
        Assert.Equal(C33, Encode(encoder, Request3));
    }

    [Fact]
    public void The_encoder_reproduces_C4_with_Huffman()
    {
        var encoder = new HpackEncoder(indexEveryField: true);

        Assert.Equal(C41, Encode(encoder, Request1));
        Assert.Equal(C42, Encode(encoder, Request2));
        Assert.Equal(C43, Encode(encoder, Request3));
    }

    [Fact]
    public void The_encoder_reproduces_C5_and_evicts_like_the_decoder()
    {
        var encoder = new HpackEncoder(tableSize: 256, useHuffman: false, indexEveryField: true);

        Assert.Equal(C51, Encode(encoder, Response1));
        Assert.Equal(C52, Encode(encoder, Response2));
        Assert.Equal(C53, Encode(encoder, Response3));
        Assert.Equal(215, encoder.Table.Size);
    }

    [Fact]
    public void The_encoder_reproduces_C6_except_where_Huffman_would_not_be_shorter()
    {
        var encoder = new HpackEncoder(tableSize: 256, indexEveryField: true);

        Assert.Equal(C61, Encode(encoder, Response1));
        // "307" is 3 octets either way; the RFC Huffman-codes it, we keep it raw. Same table afterwards.
        Assert.Equal("4803 3330 37c1 c0bf", Encode(encoder, Response2));
        Assert.Equal(C63, Encode(encoder, Response3));
    }

    [Fact]
    public void Repeated_grpc_fields_become_single_octet_indexes()
    {
        var encoder = new HpackEncoder();
        var decoder = new HpackDecoder(4096, 65536);
        KeyValuePair<string, string>[] headers = [new(":status", "200"), new("content-type", "application/grpc")];

        var first = Hex(Encode(encoder, headers));
        var second = Hex(Encode(encoder, headers));

        Assert.True(first.Length > 2);
        Assert.Equal(2, second.Length);
        var fields = new List<KeyValuePair<string, string>>();
        decoder.Decode(first, fields);
        decoder.Decode(second, fields);
        Assert.Equal([.. headers, .. headers], fields);
    }

    [Fact]
    public void A_smaller_peer_table_is_announced_with_size_updates_at_the_next_block()
    {
        var encoder = new HpackEncoder();
        var decoder = new HpackDecoder(4096, 65536);
        KeyValuePair<string, string>[] headers = [new("grpc-status", "0")];
        var fields = new List<KeyValuePair<string, string>>();
        decoder.Decode(Hex(Encode(encoder, headers)), fields);

        encoder.SetPeerTableSizeLimit(0);
        encoder.SetPeerTableSizeLimit(100);
        var block = Hex(Encode(encoder, headers));

        // Smallest then final size: 0x20 (0) and 0x3f 0x45 (100).
        Assert.Equal([0x20, 0x3f, 0x45], block[..3]);
        decoder.Decode(block, fields);
        Assert.Equal(100, decoder.Table.MaxSize);
        Assert.Equal([.. headers, .. headers], fields);
    }

    [Fact]
    public void A_header_list_over_the_limit_is_reported_but_still_decoded_for_table_sync()
    {
        var encoder = new HpackEncoder(indexEveryField: true);
        var decoder = new HpackDecoder(4096, 100);
        KeyValuePair<string, string>[] big = [new("a", new string('x', 60)), new("b", new string('y', 60))];
        var fields = new List<KeyValuePair<string, string>>();

        Assert.False(decoder.Decode(Hex(Encode(encoder, big)), fields));

        Assert.Single(fields);
        Assert.Equal(2, decoder.Table.Count);
    }

    [Fact]
    public void Many_random_header_lists_round_trip_through_one_encoder_and_decoder()
    {
        var random = new Random(7541);
        var encoder = new HpackEncoder(tableSize: 512);
        var decoder = new HpackDecoder(4096, 1 << 20);
        string[] names = ["content-type", "grpc-status", "grpc-message", "x-custom", "dir-name", ":status", "followpaths", "user-agent"];
        for (var i = 0; i < 2000; i++)
        {
            var headers = new KeyValuePair<string, string>[random.Next(1, 8)];
            for (var j = 0; j < headers.Length; j++)
            {
                var value = new char[random.Next(0, 40)];
                for (var k = 0; k < value.Length; k++)
                {
                    value[k] = (char)random.Next(0, 256);
                }

                headers[j] = new(names[random.Next(names.Length)], random.Next(3) == 0 ? "same" : new string(value));
            }

            var fields = new List<KeyValuePair<string, string>>();
            Assert.True(decoder.Decode(Hex(Encode(encoder, headers)), fields));
            Assert.Equal(headers, fields);
        }
    }

    private static void AssertBlock(HpackDecoder decoder, string hex, KeyValuePair<string, string>[] expected, int tableSize)
    {
        var fields = new List<KeyValuePair<string, string>>();
        Assert.True(decoder.Decode(Hex(hex), fields));
        Assert.Equal(expected, fields);
        Assert.Equal(tableSize, decoder.Table.Size);
    }

    private static string Encode(HpackEncoder encoder, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var buffer = new byte[HpackEncoder.MaxEncodedLength(headers)];
        var length = encoder.Encode(headers, buffer);
        var hex = Convert.ToHexString(buffer, 0, length).ToLowerInvariant();
        // Group as the RFC prints it: "8286 8441 ...".
        return string.Join(' ', Enumerable.Range(0, (hex.Length + 3) / 4).Select(i => hex.Substring(i * 4, Math.Min(4, hex.Length - (i * 4)))));
    }
}
