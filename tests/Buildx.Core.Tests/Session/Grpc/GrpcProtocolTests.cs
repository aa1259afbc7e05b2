using System.Buffers.Binary;
using Buildx.Core.BuildKit.Protocol.FileSync;
using Buildx.Core.Session.Grpc;
using Buildx.Core.Session.Http2;
using Buildx.Core.Tests.Session.Support;
using Google.Protobuf;

namespace Buildx.Core.Tests.Session.Grpc;

/// <summary>The gRPC-over-HTTP/2 framing, checked octet by octet with a hand-driven peer.</summary>
public class GrpcProtocolTests
{
    private const string EchoPath = "/moby.filesync.v1.FileSend/DiffCopy";

    [Fact]
    public async Task A_unary_call_gets_headers_one_message_and_OK_trailers()
    {
        await using var peer = await StartAsync();
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest(EchoPath), endStream: false);
        await peer.SendDataAsync(1, RawHttp2Peer.GrpcMessage(new BytesMessage { Data = ByteString.CopyFromUtf8("hi") }.ToByteArray()), endStream: true);

        var headers = await peer.ExpectAsync(Http2FrameType.Headers, 1);
        var data = await peer.ExpectAsync(Http2FrameType.Data, 1);
        var trailers = await peer.ExpectAsync(Http2FrameType.Headers, 1);

        Assert.Equal([new(":status", "200"), new("content-type", "application/grpc")], peer.DecodeHeaders(headers));
        Assert.Equal(0, data.Payload[0]);
        Assert.Equal((uint)data.Payload.Length - 5, BinaryPrimitives.ReadUInt32BigEndian(data.Payload.AsSpan(1)));
        Assert.Equal("hi", BytesMessage.Parser.ParseFrom(data.Payload.AsSpan(5)).Data.ToStringUtf8());
        Assert.True(trailers.HasFlag(Http2FrameFlags.EndStream));
        Assert.Equal([new("grpc-status", "0")], peer.DecodeHeaders(trailers));
    }

    [Fact]
    public async Task Messages_split_across_many_DATA_frames_and_empty_messages_are_reassembled()
    {
        await using var peer = await StartAsync();
        var big = RawHttp2Peer.GrpcMessage(new BytesMessage { Data = ByteString.CopyFrom(new byte[50000]) }.ToByteArray());
        var empty = RawHttp2Peer.GrpcMessage([]);
        byte[] stream = [.. big, .. empty];
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest(EchoPath), endStream: false);
        for (var offset = 0; offset < stream.Length; offset += 7001)
        {
            await peer.SendDataAsync(1, stream[offset..Math.Min(stream.Length, offset + 7001)], endStream: false);
        }

        await peer.SendDataAsync(1, [], endStream: true);

        var received = new List<byte>();
        while (received.Count < stream.Length)
        {
            received.AddRange((await peer.ExpectAsync(Http2FrameType.Data, 1)).Payload);
        }

        Assert.Equal(stream, received);
        Assert.Equal([new("grpc-status", "0")], peer.DecodeHeaders(await peer.ExpectAsync(Http2FrameType.Headers, 1)));
    }

    [Fact]
    public async Task An_unknown_method_gets_a_trailers_only_UNIMPLEMENTED_response()
    {
        await using var peer = await StartAsync();
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/nope.Service/Missing"), endStream: true);

        var response = await peer.ExpectAsync(Http2FrameType.Headers, 1);

        Assert.True(response.HasFlag(Http2FrameFlags.EndStream));
        Assert.Equal(
            [new(":status", "200"), new("content-type", "application/grpc"), new("grpc-status", "12"), new("grpc-message", "unknown method /nope.Service/Missing")],
            peer.DecodeHeaders(response));
    }

    [Fact]
    public async Task A_compressed_message_is_INTERNAL()
    {
        await using var peer = await StartAsync();
        var message = RawHttp2Peer.GrpcMessage([1, 2, 3]);
        message[0] = 1;
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest(EchoPath), endStream: false);
        await peer.SendDataAsync(1, message, endStream: true);

        var status = Status(peer, await peer.ExpectAsync(f => f.Type == Http2FrameType.Headers && f.HasFlag(Http2FrameFlags.EndStream)));

        Assert.Equal("13", status["grpc-status"]);
        Assert.Contains("compressed", status["grpc-message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_encoding_other_than_identity_is_UNIMPLEMENTED()
    {
        await using var peer = await StartAsync();
        var fields = RawHttp2Peer.GrpcRequest(EchoPath);
        fields.Add(new("grpc-encoding", "gzip"));
        await peer.SendHeadersAsync(1, fields, endStream: true);

        var status = Status(peer, await peer.ExpectAsync(Http2FrameType.Headers, 1));

        Assert.Equal("12", status["grpc-status"]);
    }

    [Theory]
    [InlineData("GET", "application/grpc", "405")]
    [InlineData("POST", "application/json", "415")]
    [InlineData("POST", "application/grpcx", "415")]
    public async Task A_request_that_is_not_gRPC_is_refused_with_an_HTTP_status(string method, string contentType, string httpStatus)
    {
        await using var peer = await StartAsync();
        var fields = RawHttp2Peer.GrpcRequest(EchoPath);
        fields[0] = new(":method", method);
        fields[4] = new("content-type", contentType);
        await peer.SendHeadersAsync(1, fields, endStream: true);

        var status = Status(peer, await peer.ExpectAsync(Http2FrameType.Headers, 1));

        Assert.Equal(httpStatus, status[":status"]);
        Assert.Equal("13", status["grpc-status"]);
    }

    [Fact]
    public async Task Repeated_metadata_keys_reach_the_handler_separately_and_in_order()
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = await StartAsync(registry =>
            registry.AddUnary<BytesMessage, BytesMessage>("/moby.filesync.v1.FileSync/DiffCopy", BytesMessage.Parser, (_, context) =>
            {
                seen.SetResult(string.Join("|", context.GetValues("followpaths")) + ";" + context.Method);
                return Task.FromResult(new BytesMessage());
            }));
        var fields = RawHttp2Peer.GrpcRequest("/moby.filesync.v1.FileSync/diffcopy");
        fields.Add(new("followpaths", "Dockerfile"));
        fields.Add(new("followpaths", "Dockerfile.dockerignore"));
        await peer.SendHeadersAsync(1, fields, endStream: false);
        await peer.SendDataAsync(1, RawHttp2Peer.GrpcMessage([]), endStream: true);

        Assert.Equal("Dockerfile|Dockerfile.dockerignore;/moby.filesync.v1.FileSync/diffcopy", await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_message_announced_above_16_MiB_is_RESOURCE_EXHAUSTED_before_it_is_read()
    {
        await using var peer = await StartAsync();
        var prefix = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), (16 * 1024 * 1024) + 1);
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest(EchoPath), endStream: false);
        await peer.SendDataAsync(1, prefix, endStream: false);

        var status = Status(peer, await peer.ExpectAsync(f => f.Type == Http2FrameType.Headers && f.HasFlag(Http2FrameFlags.EndStream)));
        var reset = await peer.ExpectAsync(Http2FrameType.RstStream, 1);

        Assert.Equal("8", status["grpc-status"]);
        Assert.Equal(Http2ErrorCode.NoError, reset.ErrorCode);
    }

    [Fact]
    public async Task A_request_ending_inside_a_message_is_INTERNAL()
    {
        await using var peer = await StartAsync();
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest(EchoPath), endStream: false);
        await peer.SendDataAsync(1, RawHttp2Peer.GrpcMessage(new byte[10])[..8], endStream: true);

        var status = Status(peer, await peer.ExpectAsync(f => f.Type == Http2FrameType.Headers && f.HasFlag(Http2FrameFlags.EndStream)));

        Assert.Equal("13", status["grpc-status"]);
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100% done", "100%25 done")]
    [InlineData("ünï\n", "%C3%BCn%C3%AF%0A")]
    public void Status_messages_are_percent_encoded(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcStatusMessage.Encode(message));
        Assert.Equal(message, GrpcStatusMessage.Decode(encoded));
    }

    [Fact]
    public void A_very_long_status_message_is_cut_without_splitting_an_escape()
    {
        var encoded = GrpcStatusMessage.Encode(new string('é', 10000));

        Assert.True(encoded.Length <= GrpcStatusMessage.MaxEncodedLength);
        Assert.EndsWith("%A9", encoded, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5S", 5000)]
    [InlineData("250m", 250)]
    [InlineData("2M", 120000)]
    [InlineData("1H", 3600000)]
    [InlineData("3000000u", 3000)]
    [InlineData("7000000n", 7)]
    public void Timeouts_are_parsed_with_their_units(string text, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GrpcTimeout.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("123456789S")]
    [InlineData("12x")]
    [InlineData("-1S")]
    public void Malformed_timeouts_are_ignored(string? text)
    {
        Assert.Null(GrpcTimeout.Parse(text));
    }

    private static Task<RawHttp2Peer> StartAsync(Action<GrpcServiceRegistry>? register = null)
    {
        var registry = new GrpcServiceRegistry();
        HealthService.Register(registry);
        if (register is null)
        {
            registry.AddDuplex<BytesMessage, BytesMessage>(EchoPath, BytesMessage.Parser, async (reader, writer, context) =>
            {
                while (await reader.ReadAsync(context.CallCancelled) is { } message)
                {
                    await writer.WriteAsync(message, context.CallCancelled);
                }
            });
        }
        else
        {
            register(registry);
        }

        return RawHttp2Peer.StartAsync(stream => GrpcStreamDispatcher.ServeAsync(stream, registry));
    }

    private static Dictionary<string, string> Status(RawHttp2Peer peer, ReceivedFrame frame) =>
        peer.DecodeHeaders(frame).ToDictionary(f => f.Key, f => f.Value);
}
