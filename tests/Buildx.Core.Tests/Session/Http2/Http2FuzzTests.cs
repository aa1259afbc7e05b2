using Buildx.Core.Session.Http2;
using Buildx.Core.Tests.Session.Support;

namespace Buildx.Core.Tests.Session.Http2;

/// <summary>
/// Whole connections fed random, truncated and mutated input. Each run must end on its own (the input
/// ends with end-of-stream) within a timeout, and either cleanly or with a protocol error that was
/// announced by a GOAWAY carrying the same code; any other exception is a bug.
/// </summary>
public class Http2FuzzTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Random_bytes_instead_of_a_preface_always_get_GOAWAY_PROTOCOL_ERROR()
    {
        var random = new Random(1);
        await RunManyAsync(400, async _ =>
        {
            byte[] input;
            lock (random)
            {
                input = new byte[random.Next(1, 200)];
                random.NextBytes(input);
            }

            var outcome = await RunConnectionAsync(input);
            Assert.Equal(Http2ErrorCode.ProtocolError, outcome.Error?.ErrorCode);
        });
    }

    [Fact]
    public async Task Random_frames_after_a_valid_preface_end_cleanly_or_with_GOAWAY()
    {
        var random = new Random(2);
        await RunManyAsync(1500, async _ =>
        {
            byte[] input;
            lock (random)
            {
                var garbage = new byte[random.Next(1, 300)];
                random.NextBytes(garbage);
                // Keep frame lengths small most of the time so the garbage is parsed as many frames.
                if (garbage.Length > 3 && random.Next(2) == 0)
                {
                    garbage[0] = 0;
                    garbage[1] = 0;
                    garbage[2] = (byte)random.Next(garbage.Length - 9 > 0 ? Math.Min(255, garbage.Length - 9) : 1);
                }

                input = [.. ValidOpening(), .. garbage];
            }

            await RunConnectionAsync(input);
        });
    }

    [Fact]
    public async Task A_valid_conversation_cut_anywhere_ends_cleanly_or_with_GOAWAY()
    {
        var conversation = ValidConversation();
        var random = new Random(3);
        await RunManyAsync(600, async _ =>
        {
            int cut;
            lock (random)
            {
                cut = random.Next(Http2FrameReader.ClientPreface.Length, conversation.Length + 1);
            }

            await RunConnectionAsync(conversation[..cut]);
        });
    }

    [Fact]
    public async Task The_valid_conversation_itself_is_served()
    {
        await using var peer = await RawHttp2Peer.StartAsync(Http2ConnectionTests.EchoAsync, sendPreface: false);

        // Everything but the final GOAWAY, which would end the connection before the answers.
        await peer.SendRawAsync([.. ValidConversationFrames().SkipLast(1).SelectMany(f => f)]);

        var response = await peer.ExpectAsync(f => f.Type == Http2FrameType.Headers && f.StreamId == 1 && f.HasFlag(Http2FrameFlags.EndStream));
        Assert.Equal([new("x-echo-length", "314")], peer.DecodeHeaders(response));
    }

    [Fact]
    public async Task Mutations_of_a_valid_conversation_end_cleanly_or_with_GOAWAY()
    {
        var frames = ValidConversationFrames();
        var random = new Random(4);
        await RunManyAsync(2000, async _ =>
        {
            byte[] input;
            lock (random)
            {
                input = Mutate(random, frames);
            }

            await RunConnectionAsync(input);
        });
    }

    /// <summary>Preface and an empty SETTINGS frame.</summary>
    private static byte[] ValidOpening() =>
        [.. Http2FrameReader.ClientPreface, .. RawHttp2Peer.Frame(Http2FrameType.Settings, 0, 0, [])];

    /// <summary>A conversation that exercises most frame types: two requests, padding, CONTINUATION, trailers, PING, RST.</summary>
    private static List<byte[]> ValidConversationFrames()
    {
        var encoder = new Buildx.Core.Session.Http2.Hpack.HpackEncoder();
        byte[] Encode(IReadOnlyList<KeyValuePair<string, string>> fields)
        {
            var buffer = new byte[4096];
            return buffer[..encoder.Encode(fields, buffer)];
        }

        var request = Encode(RawHttp2Peer.GrpcRequest("/test/Echo"));
        var second = Encode(RawHttp2Peer.GrpcRequest("/test/Other"));
        var trailers = Encode([new("x-trailer", "1")]);
        return
        [
            Http2FrameReader.ClientPreface.ToArray(),
            RawHttp2Peer.Frame(Http2FrameType.Settings, 0, 0, [0, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0x10, 0]),
            RawHttp2Peer.Frame(Http2FrameType.WindowUpdate, 0, 0, [0, 1, 0, 0]),
            RawHttp2Peer.Frame(Http2FrameType.Headers, Http2FrameFlags.Priority, 1, [0, 0, 0, 0, 15, .. request[..10]], padding: 3),
            RawHttp2Peer.Frame(Http2FrameType.Continuation, Http2FrameFlags.EndHeaders, 1, request.AsSpan(10)),
            RawHttp2Peer.Frame(Http2FrameType.Data, 0, 1, RawHttp2Peer.GrpcMessage([1, 2, 3, 4]), padding: 5),
            RawHttp2Peer.Frame(Http2FrameType.Priority, 0, 3, [0, 0, 0, 1, 7]),
            RawHttp2Peer.Frame(Http2FrameType.Headers, Http2FrameFlags.EndHeaders, 3, second),
            RawHttp2Peer.Frame(Http2FrameType.Ping, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8]),
            RawHttp2Peer.Frame(Http2FrameType.WindowUpdate, 0, 1, [0, 0, 1, 0]),
            RawHttp2Peer.Frame(Http2FrameType.RstStream, 0, 3, [0, 0, 0, 8]),
            RawHttp2Peer.Frame(Http2FrameType.Data, 0, 1, RawHttp2Peer.GrpcMessage(new byte[300])),
            RawHttp2Peer.Frame(Http2FrameType.Headers, Http2FrameFlags.EndHeaders | Http2FrameFlags.EndStream, 1, trailers),
            RawHttp2Peer.Frame((Http2FrameType)0x42, 0, 0, [9, 9]),
            RawHttp2Peer.Frame(Http2FrameType.Settings, Http2FrameFlags.Ack, 0, []),
            RawHttp2Peer.Frame(Http2FrameType.GoAway, 0, 0, [0, 0, 0, 0, 0, 0, 0, 0]),
        ];
    }

    private static byte[] ValidConversation() => [.. ValidConversationFrames().SelectMany(f => f)];

    private static byte[] Mutate(Random random, List<byte[]> frames)
    {
        var list = frames.Select(f => (byte[])f.Clone()).ToList();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var index = random.Next(1, list.Count);
            var frame = list[index];
            switch (random.Next(7))
            {
                case 0:
                    list.RemoveAt(index);
                    break;
                case 1:
                    list.Insert(index, list[random.Next(1, list.Count)]);
                    break;
                case 2:
                    (list[index], list[^1]) = (list[^1], list[index]);
                    break;
                case 3:
                    // Flip a header bit: length, type, flags or stream.
                    frame[random.Next(Math.Min(9, frame.Length))] ^= (byte)(1 << random.Next(8));
                    break;
                case 4 when frame.Length > 9:
                    frame[random.Next(9, frame.Length)] = (byte)random.Next(256);
                    break;
                case 5:
                    frame[4] = (byte)random.Next(256);
                    break;
                default:
                    var bytes = frame;
                    HpackFuzzTests.Mutate(random, ref bytes);
                    list[index] = bytes;
                    break;
            }

            if (list.Count < 2)
            {
                break;
            }
        }

        return [.. list.SelectMany(f => f)];
    }

    private static async Task RunManyAsync(int iterations, Func<int, Task> run)
    {
        // Runs in parallel batches; each run is independent.
        const int parallel = 16;
        for (var start = 0; start < iterations; start += parallel)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(parallel, iterations - start)).Select(i => Task.Run(() => run(i))));
        }
    }

    private sealed record Outcome(Http2ConnectionException? Error, List<ReceivedFrame> Frames);

    private static async Task<Outcome> RunConnectionAsync(byte[] input)
    {
        var toServer = new BytePipe();
        var toClient = new BytePipe();
        toServer.Write(input);
        toServer.Complete();
        var server = new DuplexPipeStream(toServer, toClient);
        var connection = new Http2ServerConnection(server, Http2ConnectionTests.EchoAsync);

        Http2ConnectionException? error = null;
        try
        {
            await connection.RunAsync(CancellationToken.None).WaitAsync(RunTimeout);
        }
        catch (Http2ConnectionException protocolError)
        {
            error = protocolError;
        }
        catch (TimeoutException)
        {
            Assert.Fail("The connection did not end on input: " + Convert.ToHexString(input));
        }

        toClient.Complete();
        var frames = await ReadAllFramesAsync(toClient.Recorded.ToArray());
        var goAway = frames.LastOrDefault(f => f.Type == Http2FrameType.GoAway);
        if (error is not null && error.Detail.StartsWith("the peer closed the connection", StringComparison.Ordinal))
        {
            // The peer's own GOAWAY with an error code: reported, not answered.
            return new Outcome(error, frames);
        }

        if (error is not null)
        {
            Assert.True(goAway is not null, "A protocol error without GOAWAY: " + error.Message);
            Assert.Equal(error.ErrorCode, goAway.ErrorCode);
        }
        else if (goAway is not null)
        {
            Assert.Equal(Http2ErrorCode.NoError, goAway.ErrorCode);
        }

        return new Outcome(error, frames);
    }

    private static async Task<List<ReceivedFrame>> ReadAllFramesAsync(byte[] output)
    {
        var pipe = new BytePipe();
        pipe.Write(output);
        pipe.Complete();
        var reader = new Http2FrameReader(new DuplexPipeStream(pipe, new BytePipe()), Http2ServerLimits.MaxAllowedFrameSize);
        var frames = new List<ReceivedFrame>();
        while (await reader.ReadFrameAsync(CancellationToken.None) is { } frame)
        {
            frames.Add(new ReceivedFrame(frame.Header, frame.Payload.ToArray()));
        }

        return frames;
    }
}
