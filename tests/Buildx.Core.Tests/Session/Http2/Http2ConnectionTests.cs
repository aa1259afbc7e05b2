using System.Buffers.Binary;
using Buildx.Core.Session.Http2;
using Buildx.Core.Tests.Session.Support;

namespace Buildx.Core.Tests.Session.Http2;

public class Http2ConnectionTests
{
    private static readonly KeyValuePair<string, string>[] Ok = [new(":status", "200")];

    [Fact]
    public async Task The_server_announces_its_settings_and_opens_the_connection_window()
    {
        await using var peer = await RawHttp2Peer.StartAsync(_ => Task.CompletedTask, sendPreface: false);

        var settings = await peer.ReadFrameAsync();
        var windowUpdate = await peer.ReadFrameAsync();

        Assert.Equal(Http2FrameType.Settings, settings!.Type);
        Assert.False(settings.HasFlag(Http2FrameFlags.Ack));
        var values = ReadSettings(settings.Payload);
        Assert.Equal(16u * 1024 * 1024, values[Http2SettingId.InitialWindowSize]);
        Assert.Equal(1000u, values[Http2SettingId.MaxConcurrentStreams]);
        Assert.Equal(65536u, values[Http2SettingId.MaxHeaderListSize]);
        Assert.Equal(Http2FrameType.WindowUpdate, windowUpdate!.Type);
        Assert.Equal(0, windowUpdate.StreamId);
        Assert.Equal((32 * 1024 * 1024) - 65535, BinaryPrimitives.ReadInt32BigEndian(windowUpdate.Payload));
    }

    [Fact]
    public async Task Settings_and_pings_are_acknowledged()
    {
        await using var peer = await RawHttp2Peer.StartAsync(_ => Task.CompletedTask);

        await peer.ExpectAsync(f => f.Type == Http2FrameType.Settings && f.HasFlag(Http2FrameFlags.Ack));
        await peer.SendPingAsync(0x1122334455667788);
        var pong = await peer.ExpectAsync(Http2FrameType.Ping);

        Assert.True(pong.HasFlag(Http2FrameFlags.Ack));
        Assert.Equal(0x1122334455667788ul, BinaryPrimitives.ReadUInt64BigEndian(pong.Payload));
    }

    [Fact]
    public async Task A_padded_request_split_over_CONTINUATION_with_trailers_is_echoed()
    {
        await using var peer = await RawHttp2Peer.StartAsync(EchoAsync);
        var fields = RawHttp2Peer.GrpcRequest("/test/Echo");
        fields.Add(new("x-long", new string('v', 300)));
        var block = peer.EncodeHeaders(fields);

        await peer.SendRawAsync(RawHttp2Peer.Frame(Http2FrameType.Headers, Http2FrameFlags.Priority, 1, [0, 0, 0, 0, 16, .. block[..100]], padding: 7));
        await peer.SendRawAsync(RawHttp2Peer.Frame(Http2FrameType.Continuation, Http2FrameFlags.None, 1, block.AsSpan(100, 100)));
        await peer.SendRawAsync(RawHttp2Peer.Frame(Http2FrameType.Continuation, Http2FrameFlags.EndHeaders, 1, block.AsSpan(200)));
        await peer.SendDataAsync(1, [1, 2, 3], endStream: false, padding: 10);
        await peer.SendDataAsync(1, [4, 5], endStream: false);
        await peer.SendHeadersAsync(1, [new("x-request-trailer", "yes")], endStream: true);

        var headers = await peer.ExpectAsync(Http2FrameType.Headers, 1);
        var data = await peer.ExpectAsync(Http2FrameType.Data, 1);
        var trailers = await peer.ExpectAsync(Http2FrameType.Headers, 1);

        Assert.Equal(Ok, peer.DecodeHeaders(headers));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, data.Payload);
        Assert.True(trailers.HasFlag(Http2FrameFlags.EndStream));
        Assert.Equal([new("x-echo-length", "5")], peer.DecodeHeaders(trailers));
    }

    [Fact]
    public async Task A_sender_is_blocked_until_the_peer_sends_WINDOW_UPDATE()
    {
        var body = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        await using var peer = await RawHttp2Peer.StartAsync(async stream =>
        {
            await stream.WriteHeadersAsync(Ok, endStream: false, CancellationToken.None);
            await stream.WriteDataAsync(body, endStream: true, CancellationToken.None);
        });
        await peer.SendSettingsAsync((Http2SettingId.InitialWindowSize, 1000));
        await peer.ExpectAsync(f => f.Type == Http2FrameType.Settings && f.HasFlag(Http2FrameFlags.Ack));
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/test/Download"), endStream: true);

        var received = new List<byte>();
        await ReceiveDataAsync(peer, received, 1000);
        await AssertNoDataAsync(peer);

        await peer.SendWindowUpdateAsync(1, 1500);
        await ReceiveDataAsync(peer, received, 2500);
        await AssertNoDataAsync(peer);

        // A larger initial window widens the open stream too (RFC 9113 section 6.9.2): 1000 -> 3000.
        await peer.SendSettingsAsync((Http2SettingId.InitialWindowSize, 3000));
        await ReceiveDataAsync(peer, received, 4500);
        await AssertNoDataAsync(peer);

        await peer.SendWindowUpdateAsync(1, 100000);
        await ReceiveDataAsync(peer, received, 5000);
        Assert.Equal(body, received);
    }

    [Fact]
    public async Task The_connection_window_bounds_all_streams_together()
    {
        await using var peer = await RawHttp2Peer.StartAsync(async stream =>
        {
            await stream.WriteHeadersAsync(Ok, endStream: false, CancellationToken.None);
            await stream.WriteDataAsync(new byte[40000], endStream: true, CancellationToken.None);
        });
        await peer.SendSettingsAsync((Http2SettingId.InitialWindowSize, 1 << 20));
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/a"), endStream: true);
        await peer.SendHeadersAsync(3, RawHttp2Peer.GrpcRequest("/b"), endStream: true);

        var total = 0;
        while (total < 65535)
        {
            var frame = await peer.ExpectAsync(Http2FrameType.Data);
            Assert.True(frame.Payload.Length <= 16384, "DATA frames respect the default SETTINGS_MAX_FRAME_SIZE");
            total += frame.Payload.Length;
        }

        Assert.Equal(65535, total);
        await AssertNoDataAsync(peer);
        await peer.SendWindowUpdateAsync(0, 100000);
        while (total < 80000)
        {
            total += (await peer.ExpectAsync(Http2FrameType.Data)).Payload.Length;
        }

        Assert.Equal(80000, total);
    }

    [Fact]
    public async Task A_larger_peer_frame_size_allows_larger_DATA_frames()
    {
        await using var peer = await RawHttp2Peer.StartAsync(async stream =>
        {
            await stream.WriteHeadersAsync(Ok, endStream: false, CancellationToken.None);
            await stream.WriteDataAsync(new byte[50000], endStream: true, CancellationToken.None);
        });
        await peer.SendSettingsAsync((Http2SettingId.MaxFrameSize, 20000), (Http2SettingId.InitialWindowSize, 1 << 20));
        await peer.ExpectAsync(f => f.Type == Http2FrameType.Settings && f.HasFlag(Http2FrameFlags.Ack));
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/a"), endStream: true);

        var first = await peer.ExpectAsync(Http2FrameType.Data);

        Assert.Equal(20000, first.Payload.Length);
    }

    [Fact]
    public async Task Consumed_request_data_is_credited_back_in_batches()
    {
        await using var peer = await RawHttp2Peer.StartAsync(async stream =>
        {
            var buffer = new byte[65536];
            while (await stream.ReadAsync(buffer, CancellationToken.None) > 0)
            {
            }

            await stream.WriteHeadersAsync(Ok, endStream: true, CancellationToken.None);
        });
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/upload"), endStream: false);
        var chunk = new byte[16384];
        for (var i = 0; i < 96; i++)
        {
            await peer.SendDataAsync(1, chunk, endStream: false);
        }

        var streamUpdate = await peer.ExpectAsync(f => f.Type == Http2FrameType.WindowUpdate && f.StreamId == 1);
        var connectionUpdate = await peer.ExpectAsync(f => f.Type == Http2FrameType.WindowUpdate && f.StreamId == 0);

        Assert.True(BinaryPrimitives.ReadInt32BigEndian(streamUpdate.Payload) >= 1024 * 1024);
        Assert.True(BinaryPrimitives.ReadInt32BigEndian(connectionUpdate.Payload) >= 1024 * 1024);
        await peer.SendDataAsync(1, [], endStream: true);
        await peer.ExpectAsync(f => f.Type == Http2FrameType.Headers && f.HasFlag(Http2FrameFlags.EndStream));
    }

    [Fact]
    public async Task A_peer_reset_cancels_the_stream_token_and_the_pending_read()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readFailed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = await RawHttp2Peer.StartAsync(async stream =>
        {
            stream.Aborted.Register(() => cancelled.TrySetResult());
            try
            {
                await stream.ReadAsync(new byte[10], CancellationToken.None);
            }
            catch (OperationCanceledException error)
            {
                readFailed.TrySetResult(error);
            }
        });
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/wait"), endStream: false);
        await Task.Delay(50);

        await peer.SendRstStreamAsync(1, Http2ErrorCode.Cancel);

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.IsType<OperationCanceledException>(await readFailed.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await peer.SendPingAsync(1);
        await peer.ExpectAsync(Http2FrameType.Ping);
    }

    [Fact]
    public async Task A_finished_response_stops_an_unread_request_with_RST_NO_ERROR()
    {
        await using var peer = await RawHttp2Peer.StartAsync(stream => stream.WriteHeadersAsync(Ok, endStream: true, CancellationToken.None).AsTask());
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/quick"), endStream: false);

        var reset = await peer.ExpectAsync(Http2FrameType.RstStream, 1);

        Assert.Equal(Http2ErrorCode.NoError, reset.ErrorCode);
        await peer.SendDataAsync(1, new byte[100], endStream: true);
        await peer.SendPingAsync(2);
        await peer.ExpectAsync(Http2FrameType.Ping);
    }

    [Fact]
    public async Task A_handler_that_leaves_its_response_unfinished_gets_its_stream_reset()
    {
        await using var peer = await RawHttp2Peer.StartAsync(_ => throw new InvalidOperationException("bug"));
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/broken"), endStream: true);

        var reset = await peer.ExpectAsync(Http2FrameType.RstStream, 1);

        Assert.Equal(Http2ErrorCode.InternalError, reset.ErrorCode);
    }

    [Theory]
    [InlineData("X-Upper", "v")]
    [InlineData("connection", "close")]
    [InlineData("te", "gzip")]
    [InlineData("x-bad", "a\r\nb")]
    public async Task A_malformed_request_is_a_stream_error_and_the_connection_goes_on(string name, string value)
    {
        await using var peer = await RawHttp2Peer.StartAsync(EchoAsync);
        var fields = RawHttp2Peer.GrpcRequest("/x");
        fields.Add(new(name, value));
        await peer.SendHeadersAsync(1, fields, endStream: true);

        var reset = await peer.ExpectAsync(Http2FrameType.RstStream, 1);

        Assert.Equal(Http2ErrorCode.ProtocolError, reset.ErrorCode);
        await peer.SendHeadersAsync(3, RawHttp2Peer.GrpcRequest("/y"), endStream: true);
        await peer.ExpectAsync(f => f.Type == Http2FrameType.Headers && f.StreamId == 3 && f.HasFlag(Http2FrameFlags.EndStream));
    }

    [Fact]
    public async Task Requests_missing_pseudo_headers_or_with_them_out_of_order_are_refused()
    {
        await using var peer = await RawHttp2Peer.StartAsync(EchoAsync);

        await peer.SendHeadersAsync(1, [new(":method", "POST"), new(":path", "/x")], endStream: true);
        Assert.Equal(Http2ErrorCode.ProtocolError, (await peer.ExpectAsync(Http2FrameType.RstStream, 1)).ErrorCode);
        await peer.SendHeadersAsync(3, [new("x-a", "1"), new(":method", "POST"), new(":scheme", "http"), new(":path", "/x")], endStream: true);
        Assert.Equal(Http2ErrorCode.ProtocolError, (await peer.ExpectAsync(Http2FrameType.RstStream, 3)).ErrorCode);
    }

    [Fact]
    public async Task A_stream_WINDOW_UPDATE_of_zero_or_one_that_overflows_resets_the_stream()
    {
        await using var peer = await RawHttp2Peer.StartAsync(stream => Task.Delay(Timeout.Infinite, stream.Aborted));
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/a"), endStream: false);
        await peer.SendHeadersAsync(3, RawHttp2Peer.GrpcRequest("/b"), endStream: false);

        await peer.SendWindowUpdateAsync(1, 0);
        await peer.SendWindowUpdateAsync(3, int.MaxValue);

        Assert.Equal(Http2ErrorCode.ProtocolError, (await peer.ExpectAsync(Http2FrameType.RstStream, 1)).ErrorCode);
        Assert.Equal(Http2ErrorCode.FlowControlError, (await peer.ExpectAsync(Http2FrameType.RstStream, 3)).ErrorCode);
    }

    [Fact]
    public async Task Streams_beyond_the_concurrency_limit_are_refused()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = await RawHttp2Peer.StartAsync(async stream =>
        {
            await release.Task;
            await stream.WriteHeadersAsync(Ok, endStream: true, CancellationToken.None);
        });
        for (var i = 0; i <= Http2ServerLimits.MaxConcurrentStreams; i++)
        {
            await peer.SendHeadersAsync((2 * i) + 1, RawHttp2Peer.GrpcRequest("/hold"), endStream: true);
        }

        var refused = await peer.ExpectAsync(Http2FrameType.RstStream);

        Assert.Equal((2 * Http2ServerLimits.MaxConcurrentStreams) + 1, refused.StreamId);
        Assert.Equal(Http2ErrorCode.RefusedStream, refused.ErrorCode);
        release.SetResult();
        await peer.ExpectAsync(f => f.Type == Http2FrameType.Headers && f.StreamId == 1);
    }

    [Fact]
    public async Task Output_is_coalesced_into_few_large_transport_writes()
    {
        var chunk = new byte[1000];
        await using var peer = await RawHttp2Peer.StartAsync(async stream =>
        {
            await stream.WriteHeadersAsync(Ok, endStream: false, CancellationToken.None);
            for (var i = 0; i < 200; i++)
            {
                await stream.WriteDataAsync(chunk, endStream: false, CancellationToken.None);
            }

            await stream.WriteHeadersAsync([new("grpc-status", "0")], endStream: true, CancellationToken.None);
        });
        peer.Server.Output.WriteDelay = TimeSpan.FromMilliseconds(20);
        await peer.SendSettingsAsync((Http2SettingId.InitialWindowSize, 1 << 20));
        await peer.SendWindowUpdateAsync(0, 1 << 20);
        await peer.ExpectAsync(f => f.Type == Http2FrameType.Settings && f.HasFlag(Http2FrameFlags.Ack));
        var before = peer.Server.Output.Writes;

        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/many"), endStream: true);
        await peer.ExpectAsync(f => f.Type == Http2FrameType.Headers && f.HasFlag(Http2FrameFlags.EndStream));

        // 202 frames; with a slow transport they leave in a handful of writes.
        Assert.InRange(peer.Server.Output.Writes - before, 1, 10);
    }

    [Fact]
    public async Task A_peer_GOAWAY_lets_open_streams_finish_and_then_ends_the_connection()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = await RawHttp2Peer.StartAsync(async stream =>
        {
            await release.Task;
            await stream.WriteHeadersAsync(Ok, endStream: true, CancellationToken.None);
        });
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/slow"), endStream: true);
        await peer.SendGoAwayAsync(0, Http2ErrorCode.NoError);
        await peer.SendPingAsync(9);
        await peer.ExpectAsync(Http2FrameType.Ping);

        Assert.False(peer.ServerRun.IsCompleted);
        release.SetResult();

        await peer.ExpectAsync(f => f.Type == Http2FrameType.Headers && f.StreamId == 1);
        await peer.ServerRun.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_peer_GOAWAY_with_an_error_ends_the_connection_with_that_error()
    {
        await using var peer = await RawHttp2Peer.StartAsync(_ => Task.CompletedTask);

        await peer.SendGoAwayAsync(0, Http2ErrorCode.InternalError);

        var error = await Assert.ThrowsAsync<Http2ConnectionException>(() => peer.ServerRun.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(Http2ErrorCode.InternalError, error.ErrorCode);
    }

    [Fact]
    public async Task End_of_stream_ends_the_connection_and_cancels_running_handlers()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = await RawHttp2Peer.StartAsync(async stream =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, stream.Aborted);
            }
            catch (OperationCanceledException)
            {
                cancelled.SetResult();
            }
        });
        await peer.SendHeadersAsync(1, RawHttp2Peer.GrpcRequest("/forever"), endStream: true);
        await Task.Delay(50);

        peer.CloseOutput();

        await peer.ServerRun.WaitAsync(TimeSpan.FromSeconds(5));
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancellation_sends_GOAWAY_and_throws()
    {
        using var cancellation = new CancellationTokenSource();
        await using var peer = await RawHttp2Peer.StartAsync(_ => Task.CompletedTask, cancellationToken: cancellation.Token);
        await peer.ExpectAsync(f => f.Type == Http2FrameType.Settings && f.HasFlag(Http2FrameFlags.Ack));

        await cancellation.CancelAsync();

        Assert.Equal(Http2ErrorCode.NoError, (await peer.ExpectGoAwayAsync()).ErrorCode);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => peer.ServerRun.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    public static TheoryData<string, byte[], uint> ConnectionErrors() => new()
    {
        { "DATA on stream 0", RawHttp2Peer.Frame(Http2FrameType.Data, 0, 0, [1]), (uint)Http2ErrorCode.ProtocolError },
        { "DATA on an idle stream", RawHttp2Peer.Frame(Http2FrameType.Data, 0, 5, [1]), (uint)Http2ErrorCode.ProtocolError },
        { "HEADERS on stream 0", RawHttp2Peer.Frame(Http2FrameType.Headers, Http2FrameFlags.EndHeaders, 0, [0x82]), (uint)Http2ErrorCode.ProtocolError },
        { "HEADERS on an even stream", RawHttp2Peer.Frame(Http2FrameType.Headers, Http2FrameFlags.EndHeaders, 2, [0x82]), (uint)Http2ErrorCode.ProtocolError },
        { "an undecodable header block", RawHttp2Peer.Frame(Http2FrameType.Headers, Http2FrameFlags.EndHeaders, 1, [0x80]), (uint)Http2ErrorCode.CompressionError },
        { "a header index past the tables", RawHttp2Peer.Frame(Http2FrameType.Headers, Http2FrameFlags.EndHeaders, 1, [0xbe]), (uint)Http2ErrorCode.CompressionError },
        {
            "a frame inside a header block",
            [.. RawHttp2Peer.Frame(Http2FrameType.Headers, 0, 1, [0x83]), .. RawHttp2Peer.Frame(Http2FrameType.Ping, 0, 0, new byte[8])],
            (uint)Http2ErrorCode.ProtocolError
        },
        {
            "CONTINUATION on another stream",
            [.. RawHttp2Peer.Frame(Http2FrameType.Headers, 0, 1, [0x83]), .. RawHttp2Peer.Frame(Http2FrameType.Continuation, Http2FrameFlags.EndHeaders, 3, [0x86])],
            (uint)Http2ErrorCode.ProtocolError
        },
        { "CONTINUATION without HEADERS", RawHttp2Peer.Frame(Http2FrameType.Continuation, Http2FrameFlags.EndHeaders, 1, [0x82]), (uint)Http2ErrorCode.ProtocolError },
        { "padding longer than the payload", RawHttp2Peer.Frame(Http2FrameType.Headers, Http2FrameFlags.EndHeaders | Http2FrameFlags.Padded, 1, [5, 0x82]), (uint)Http2ErrorCode.ProtocolError },
        { "a PING of 7 octets", RawHttp2Peer.Frame(Http2FrameType.Ping, 0, 0, new byte[7]), (uint)Http2ErrorCode.FrameSizeError },
        { "a PING on a stream", RawHttp2Peer.Frame(Http2FrameType.Ping, 0, 1, new byte[8]), (uint)Http2ErrorCode.ProtocolError },
        { "SETTINGS of 5 octets", RawHttp2Peer.Frame(Http2FrameType.Settings, 0, 0, new byte[5]), (uint)Http2ErrorCode.FrameSizeError },
        { "a SETTINGS ack with a payload", RawHttp2Peer.Frame(Http2FrameType.Settings, Http2FrameFlags.Ack, 0, new byte[6]), (uint)Http2ErrorCode.FrameSizeError },
        { "SETTINGS on a stream", RawHttp2Peer.Frame(Http2FrameType.Settings, 0, 1, []), (uint)Http2ErrorCode.ProtocolError },
        { "an initial window above 2^31-1", RawHttp2Peer.Frame(Http2FrameType.Settings, 0, 0, [0, 4, 0x80, 0, 0, 0]), (uint)Http2ErrorCode.FlowControlError },
        { "a maximum frame size below 16384", RawHttp2Peer.Frame(Http2FrameType.Settings, 0, 0, [0, 5, 0, 0, 0x3f, 0xff]), (uint)Http2ErrorCode.ProtocolError },
        { "ENABLE_PUSH of 2", RawHttp2Peer.Frame(Http2FrameType.Settings, 0, 0, [0, 2, 0, 0, 0, 2]), (uint)Http2ErrorCode.ProtocolError },
        { "PUSH_PROMISE from a client", RawHttp2Peer.Frame(Http2FrameType.PushPromise, Http2FrameFlags.EndHeaders, 1, [0, 0, 0, 2, 0x82]), (uint)Http2ErrorCode.ProtocolError },
        { "a connection WINDOW_UPDATE of 0", RawHttp2Peer.Frame(Http2FrameType.WindowUpdate, 0, 0, [0, 0, 0, 0]), (uint)Http2ErrorCode.ProtocolError },
        { "a connection window overflow", RawHttp2Peer.Frame(Http2FrameType.WindowUpdate, 0, 0, [0x7f, 0xff, 0xff, 0xff]), (uint)Http2ErrorCode.FlowControlError },
        { "a WINDOW_UPDATE of 3 octets", RawHttp2Peer.Frame(Http2FrameType.WindowUpdate, 0, 0, [0, 0, 1]), (uint)Http2ErrorCode.FrameSizeError },
        { "a WINDOW_UPDATE on an idle stream", RawHttp2Peer.Frame(Http2FrameType.WindowUpdate, 0, 7, [0, 0, 0, 1]), (uint)Http2ErrorCode.ProtocolError },
        { "RST_STREAM on an idle stream", RawHttp2Peer.Frame(Http2FrameType.RstStream, 0, 7, [0, 0, 0, 8]), (uint)Http2ErrorCode.ProtocolError },
        { "RST_STREAM of 3 octets", RawHttp2Peer.Frame(Http2FrameType.RstStream, 0, 1, [0, 0, 8]), (uint)Http2ErrorCode.FrameSizeError },
        { "a PRIORITY of 4 octets", RawHttp2Peer.Frame(Http2FrameType.Priority, 0, 1, [0, 0, 0, 3]), (uint)Http2ErrorCode.FrameSizeError },
        { "a GOAWAY of 7 octets", RawHttp2Peer.Frame(Http2FrameType.GoAway, 0, 0, new byte[7]), (uint)Http2ErrorCode.FrameSizeError },
        { "a frame above SETTINGS_MAX_FRAME_SIZE", RawHttp2Peer.Frame(Http2FrameType.Data, 0, 1, new byte[16385]), (uint)Http2ErrorCode.FrameSizeError },
    };

    [Theory]
    [MemberData(nameof(ConnectionErrors))]
    public async Task Protocol_violations_end_the_connection_with_GOAWAY(string violation, byte[] frames, uint expectedCode)
    {
        var expected = (Http2ErrorCode)expectedCode;
        await using var peer = await RawHttp2Peer.StartAsync(EchoAsync);

        await peer.SendRawAsync(frames);

        var goAway = await peer.ExpectGoAwayAsync();
        Assert.True(expected == goAway.ErrorCode, $"{violation}: expected {expected}, got {goAway.ErrorCode}");
        var error = await Assert.ThrowsAsync<Http2ConnectionException>(() => peer.ServerRun.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(expected, error.ErrorCode);
    }

    [Fact]
    public async Task The_first_frame_must_be_SETTINGS()
    {
        await using var peer = await RawHttp2Peer.StartAsync(EchoAsync, sendPreface: false);

        await peer.SendRawAsync([.. Http2FrameReader.ClientPreface, .. RawHttp2Peer.Frame(Http2FrameType.Ping, 0, 0, new byte[8])]);

        Assert.Equal(Http2ErrorCode.ProtocolError, (await peer.ExpectGoAwayAsync()).ErrorCode);
    }

    [Fact]
    public async Task An_HTTP1_request_instead_of_the_preface_is_refused_with_GOAWAY()
    {
        await using var peer = await RawHttp2Peer.StartAsync(EchoAsync, sendPreface: false);

        await peer.SendRawAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());

        Assert.Equal(Http2ErrorCode.ProtocolError, (await peer.ExpectGoAwayAsync()).ErrorCode);
        await Assert.ThrowsAsync<Http2ConnectionException>(() => peer.ServerRun.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_CONTINUATION_flood_is_cut_off()
    {
        await using var peer = await RawHttp2Peer.StartAsync(EchoAsync);
        var frames = new List<byte>(RawHttp2Peer.Frame(Http2FrameType.Headers, 0, 1, [0x83]));
        for (var i = 0; i < 100; i++)
        {
            frames.AddRange(RawHttp2Peer.Frame(Http2FrameType.Continuation, 0, 1, []));
        }

        await peer.SendRawAsync([.. frames]);

        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, (await peer.ExpectGoAwayAsync()).ErrorCode);
    }

    /// <summary>Reads the whole request, then answers headers, the same bytes, and a trailer with their count.</summary>
    internal static async Task EchoAsync(Http2Stream stream)
    {
        var body = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            body.Write(buffer, 0, read);
        }

        await stream.WriteHeadersAsync(Ok, endStream: false, CancellationToken.None);
        if (body.Length > 0)
        {
            await stream.WriteDataAsync(body.ToArray(), endStream: false, CancellationToken.None);
        }

        await stream.WriteHeadersAsync([new("x-echo-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))], endStream: true, CancellationToken.None);
    }

    private static Dictionary<Http2SettingId, uint> ReadSettings(byte[] payload)
    {
        var values = new Dictionary<Http2SettingId, uint>();
        for (var offset = 0; offset < payload.Length; offset += 6)
        {
            values[(Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(offset))] = BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(offset + 2));
        }

        return values;
    }

    private static async Task ReceiveDataAsync(RawHttp2Peer peer, List<byte> received, int untilTotal)
    {
        while (received.Count < untilTotal)
        {
            received.AddRange((await peer.ExpectAsync(Http2FrameType.Data)).Payload);
        }

        Assert.Equal(untilTotal, received.Count);
    }

    /// <summary>A PING round trip: whatever DATA the server had ready arrives before the PING ACK.</summary>
    private static async Task AssertNoDataAsync(RawHttp2Peer peer)
    {
        await Task.Delay(100);
        await peer.SendPingAsync(0xabc);
        var next = await peer.ExpectAsync(f => f.Type is Http2FrameType.Data or Http2FrameType.Ping);
        Assert.Equal(Http2FrameType.Ping, next.Type);
    }
}
