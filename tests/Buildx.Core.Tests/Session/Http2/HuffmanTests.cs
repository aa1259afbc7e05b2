using System.Text;
using Buildx.Core.Session.Http2.Hpack;

namespace Buildx.Core.Tests.Session.Http2;

public class HuffmanTests
{
    [Fact]
    public void The_table_is_a_complete_canonical_prefix_code()
    {
        var codes = HpackHuffmanTable.Codes;
        Assert.Equal(257, codes.Length);

        // Kraft equality: the code wastes no bit pattern, so every 30-bit string starts with a code.
        var kraft = codes.Sum(c => Math.Pow(2, -c.Length));
        Assert.Equal(1.0, kraft, 12);

        // Canonical: sorted by (length, symbol), each code is the previous one plus one, shifted to the new length.
        var ordered = Enumerable.Range(0, 257).OrderBy(s => codes[s].Length).ThenBy(s => s).ToArray();
        ulong expected = 0;
        var previousLength = codes[ordered[0]].Length;
        for (var i = 0; i < ordered.Length; i++)
        {
            var (code, length) = codes[ordered[i]];
            if (i > 0)
            {
                expected = (expected + 1) << (length - previousLength);
                previousLength = length;
            }

            Assert.Equal(expected, code);
        }

        Assert.Equal((0x3fffffffu, (byte)30), codes[HpackHuffmanTable.EndOfString]);
    }

    [Theory]
    [InlineData("www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff")]
    [InlineData("no-cache", "a8eb 1064 9cbf")]
    [InlineData("custom-key", "25a8 49e9 5ba9 7d7f")]
    [InlineData("custom-value", "25a8 49e9 5bb8 e8b4 bf")]
    [InlineData("302", "6402")]
    [InlineData("307", "640e ff")]
    [InlineData("private", "aec3 771a 4b")]
    [InlineData("Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff")]
    [InlineData("https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3")]
    [InlineData("gzip", "9bd9 ab")]
    [InlineData("foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1", "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07")]
    public void Strings_from_appendix_C_encode_and_decode(string text, string hex)
    {
        var coded = HpackTests.Hex(hex);

        var encoded = new byte[HpackHuffman.EncodedLength(text)];
        Assert.Equal(coded.Length, HpackHuffman.Encode(text, encoded));
        Assert.Equal(coded, encoded);
        Assert.Equal(text, Decode(coded));
    }

    [Fact]
    public void Every_octet_value_round_trips_at_every_padding_length()
    {
        var all = new string(Enumerable.Range(0, 256).Select(i => (char)i).ToArray());
        for (var length = 0; length <= all.Length; length++)
        {
            var text = all[..length];
            var encoded = new byte[HpackHuffman.EncodedLength(text)];
            HpackHuffman.Encode(text, encoded);
            Assert.Equal(text, Decode(encoded));
        }
    }

    [Theory]
    [InlineData("ff ff ff ff")] // EOS (30 ones) inside the string
    [InlineData("00")] // '0' then three zero bits: padding that is not a prefix of EOS
    [InlineData("1f ff")] // 'a' then eleven one bits: padding longer than 7 bits
    [InlineData("fe")] // an incomplete 8-bit prefix of a longer code
    [InlineData("ff ff ff fc")] // symbol 10 (30 bits) then two zero bits
    public void Invalid_strings_are_decoding_errors(string hex)
    {
        Assert.Throws<HpackDecodingException>(() => Decode(HpackTests.Hex(hex)));
    }

    [Fact]
    public void Random_input_decodes_or_fails_cleanly_within_the_output_bound()
    {
        var random = new Random(1);
        for (var i = 0; i < 20000; i++)
        {
            var input = new byte[random.Next(0, 64)];
            random.NextBytes(input);
            var output = new byte[HpackHuffman.MaxDecodedLength(input.Length) + 1];
            try
            {
                var written = HpackHuffman.Decode(input, output);
                Assert.InRange(written, 0, HpackHuffman.MaxDecodedLength(input.Length));
            }
            catch (HpackDecodingException)
            {
            }
        }
    }

    private static string Decode(byte[] coded)
    {
        var output = new byte[HpackHuffman.MaxDecodedLength(coded.Length)];
        var written = HpackHuffman.Decode(coded, output);
        return Encoding.Latin1.GetString(output, 0, written);
    }
}
