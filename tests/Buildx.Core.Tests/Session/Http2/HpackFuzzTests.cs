using Buildx.Core.Session.Http2.Hpack;

namespace Buildx.Core.Tests.Session.Http2;

/// <summary>Hostile and random header blocks: every one decodes or fails with a decoding error, quickly and within bounds.</summary>
public class HpackFuzzTests
{
    public static TheoryData<string, string> HostileBlocks() => new()
    {
        { "index 0", "80" },
        { "an index past both tables", "bf" },
        { "a huge index", "ff ff ff ff ff 0f" },
        { "an integer with endless continuation octets", "ff 80 80 80 80 80 80 80 80 80 80 01" },
        { "an integer cut short", "ff 80" },
        { "a name index past the tables", "7f 10 01 61" },
        { "a string longer than the block", "40 7f 80 80 01 61" },
        { "a string length of 2^31", "40 7f ff ff ff ff 07" },
        { "a string cut short", "40 05 61 62" },
        { "a Huffman string containing EOS", "40 84 ff ff ff ff 01 61" },
        { "Huffman padding of zeros", "40 81 00 01 61" },
        { "Huffman padding longer than 7 bits", "40 82 1f ff 01 61" },
        { "a size update above the limit", "3f e2 1f" },
        { "a size update after a field", "82 20" },
        { "a literal without a value", "00 01 61" },
        { "a never-indexed literal cut after the name", "10 01 61" },
    };

    [Theory]
    [MemberData(nameof(HostileBlocks))]
    public void Hostile_blocks_are_decoding_errors(string what, string hex)
    {
        var decoder = new HpackDecoder(4096, 65536);

        var error = Assert.Throws<HpackDecodingException>(() => decoder.Decode(HpackTests.Hex(hex), []));

        Assert.False(string.IsNullOrEmpty(error.Message), what);
    }

    [Fact]
    public void Repeated_size_updates_at_the_start_of_a_block_are_allowed_but_bounded_by_the_block()
    {
        var decoder = new HpackDecoder(4096, 65536);
        var block = Enumerable.Repeat(new byte[] { 0x3f, 0xe1, 0x1f }, 1000).SelectMany(b => b).Append((byte)0x82).ToArray();
        var fields = new List<KeyValuePair<string, string>>();

        Assert.True(decoder.Decode(block, fields));

        Assert.Equal([new(":method", "GET")], fields);
    }

    [Fact]
    public void Indexed_references_cannot_blow_a_small_block_up_past_the_list_limit()
    {
        // One 4 KiB entry, then 10,000 one-octet references to it: 40 MB if materialized.
        var encoder = new HpackEncoder(indexEveryField: true);
        KeyValuePair<string, string>[] big = [new("x", new string('v', 4000))];
        var first = new byte[HpackEncoder.MaxEncodedLength(big)];
        var length = encoder.Encode(big, first);
        var decoder = new HpackDecoder(4096, 65536);
        decoder.Decode(first.AsSpan(0, length), []);
        var bomb = Enumerable.Repeat((byte)0xbe, 10000).ToArray();
        var fields = new List<KeyValuePair<string, string>>();

        Assert.False(decoder.Decode(bomb, fields));

        Assert.True(fields.Count * 4000 <= 65536);
    }

    [Fact]
    public void Random_blocks_decode_or_fail_cleanly()
    {
        var random = new Random(20250101);
        var decoder = new HpackDecoder(4096, 65536);
        for (var i = 0; i < 20000; i++)
        {
            var block = new byte[random.Next(0, 48)];
            random.NextBytes(block);
            try
            {
                decoder.Decode(block, []);
            }
            catch (HpackDecodingException)
            {
                // The connection would end here; so does this decoder.
                decoder = new HpackDecoder(4096, 65536);
            }
        }
    }

    [Fact]
    public void Mutated_valid_blocks_decode_or_fail_cleanly()
    {
        var random = new Random(42);
        string[] names = ["content-type", "grpc-status", "grpc-message", "dir-name", "followpaths", "user-agent", "x"];
        for (var i = 0; i < 5000; i++)
        {
            var encoder = new HpackEncoder(tableSize: 256, indexEveryField: random.Next(2) == 0);
            var decoder = new HpackDecoder(256, 4096);
            for (var block = 0; block < 3; block++)
            {
                var headers = Enumerable.Range(0, random.Next(1, 6))
                    .Select(_ => new KeyValuePair<string, string>(names[random.Next(names.Length)], new string('a', random.Next(0, 60))))
                    .ToArray();
                var encoded = new byte[HpackEncoder.MaxEncodedLength(headers)];
                var bytes = encoded.AsSpan(0, encoder.Encode(headers, encoded)).ToArray();
                Mutate(random, ref bytes);
                try
                {
                    decoder.Decode(bytes, []);
                }
                catch (HpackDecodingException)
                {
                    break;
                }
            }
        }
    }

    internal static void Mutate(Random random, ref byte[] bytes)
    {
        switch (random.Next(4))
        {
            case 0 when bytes.Length > 0:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when bytes.Length > 0:
                bytes = bytes[..random.Next(bytes.Length)];
                break;
            case 2:
                var position = random.Next(bytes.Length + 1);
                bytes = [.. bytes[..position], (byte)random.Next(256), .. bytes[position..]];
                break;
            default:
                if (bytes.Length > 0)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                break;
        }
    }
}
