using System.Buffers.Binary;
using Buildx.Core.Session;
using Buildx.Core.Session.Grpc;
using Buildx.Core.Session.Http2;
using Buildx.Core.Tests.Session.Support;
using Grpc.Core;

namespace Buildx.Core.Tests.Session.Tunnel;

/// <summary>The Control.Session tunnel's HTTP/2 client against a scripted daemon.</summary>
public class ControlSessionTunnelTests
{
    [Fact]
    public async Task The_call_opens_with_wide_windows_and_every_session_header_as_its_own_field()
    {
        var services = new GrpcServiceRegistry();
        services.AddRaw("/moby.filesync.v1.FileSync/DiffCopy", _ => Task.CompletedTask);
        services.AddRaw("/moby.filesync.v1.FileSend/DiffCopy", _ => Task.CompletedTask);
        await using var session = new BuildSession("shared-key", services);

        await using var call = await ScriptedSessionCall.OpenAsync(session.Headers);

        Assert.Equal(Http2FrameType.Settings, call.ClientSettings.Type);
        var settings = ReadSettings(call.ClientSettings.Payload);
        Assert.Equal(0u, settings[Http2SettingId.EnablePush]);
        Assert.Equal(16u << 20, settings[Http2SettingId.InitialWindowSize]);
        Assert.Equal(Http2FrameType.WindowUpdate, call.ClientWindowUpdate.Type);
        Assert.Equal(0, call.ClientWindowUpdate.StreamId);
        Assert.Equal((32 << 20) - 65535, BinaryPrimitives.ReadInt32BigEndian(call.ClientWindowUpdate.Payload));
        Assert.Equal(1, call.RequestHeadersFrame.StreamId);
        Assert.True(call.RequestHeadersFrame.HasFlag(Http2FrameFlags.EndHeaders));
        Assert.False(call.RequestHeadersFrame.HasFlag(Http2FrameFlags.EndStream));
        Assert.Equal(
            [
                new(":method", "POST"),
                new(":scheme", "http"),
                new(":path", "/moby.buildkit.v1.Control/Session"),
                new(":authority", "buildkit"),
                new("content-type", "application/grpc"),
                new("te", "trailers"),
            ],
            call.RequestHeaders.Take(6));
        Assert.Contains(call.RequestHeaders, f => f.Key == "user-agent");
        Assert.Equal(
            [
                new("x-docker-expose-session-uuid", session.Id),
                new("x-docker-expose-session-sharedkey", "shared-key"),
                new("x-docker-expose-session-grpc-method", "/grpc.health.v1.Health/Check"),
                new("x-docker-expose-session-grpc-method", "/moby.filesync.v1.FileSend/DiffCopy"),
                new("x-docker-expose-session-grpc-method", "/moby.filesync.v1.FileSync/DiffCopy"),
            ],
            call.RequestHeaders.Skip(7));
    }

    [Fact]
    public void Metadata_keys_are_lower_cased_repeats_kept_and_bad_ones_refused()
    {
        var fields = ControlSessionTunnel.RequestFields([new("X-Repeat", "a"), new("x-repeat", "b, c")]);

        Assert.Equal([new("x-repeat", "a"), new("x-repeat", "b, c")], fields.Skip(7));
        Assert.Throws<ArgumentException>(() => ControlSessionTunnel.RequestFields([new("bad key", "v")]));
        Assert.Throws<ArgumentException>(() => ControlSessionTunnel.RequestFields([new(":path", "/x")]));
        Assert.Throws<ArgumentException>(() => ControlSessionTunnel.RequestFields([new("grpc-timeout", "1S")]));
        Assert.Throws<ArgumentException>(() => ControlSessionTunnel.RequestFields([new("x-ok", "line\r\nbreak")]));
    }

    [Fact]
    public async Task Each_write_becomes_one_BytesMessage_in_DATA_frames_within_the_frame_size()
    {
        await using var call = await ScriptedSessionCall.OpenAsync();
        var large = Enumerable.Range(0, 40000).Select(i => (byte)i).ToArray();

        await call.Tunnel.WriteAsync("hello"u8.ToArray());
        await call.Tunnel.WriteAsync(large);
        await call.Tunnel.WriteAsync(Array.Empty<byte>());

        var framed = await call.ReceiveRequestBytesAsync((5 + 2 + 5) + (5 + 1 + 3 + large.Length));
        Assert.Equal(["hello"u8.ToArray(), large], ScriptedSessionCall.Payloads(framed));
    }

    [Fact]
    public async Task Response_messages_split_anywhere_are_reassembled_in_order()
    {
        await using var call = await ScriptedSessionCall.OpenAsync();
        var second = Enumerable.Range(0, 300).Select(i => (byte)(i * 3)).ToArray();
        byte[] body = [.. ScriptedSessionCall.Message("first"u8), .. RawHttp2Peer.GrpcMessage([]), .. ScriptedSessionCall.Message(second)];
        var reading = call.ReadToEndAsync();

        await call.SendResponseHeadersAsync();
        for (var offset = 0; offset < body.Length; offset += offset < 20 ? 1 : 37)
        {
            var piece = body.AsSpan(offset, Math.Min(offset < 20 ? 1 : 37, body.Length - offset)).ToArray();
            await call.Peer.SendDataAsync(1, piece, endStream: false, padding: offset == 3 ? 4 : -1);
        }

        await call.SendTrailersAsync();
        var received = await reading;

        Assert.Equal([.. "first"u8.ToArray(), .. second], received);
    }

    [Fact]
    public async Task Writes_wait_for_stream_credit_and_resume_on_WINDOW_UPDATE_and_SETTINGS()
    {
        await using var call = await ScriptedSessionCall.OpenAsync(null, (Http2SettingId.InitialWindowSize, 1000));
        var payload = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var total = 5 + 3 + payload.Length;

        var write = call.Tunnel.WriteAsync(payload).AsTask();
        var received = new List<byte>(await call.ReceiveRequestBytesAsync(1000));
        await call.AssertNoRequestDataAsync();
        Assert.False(write.IsCompleted);

        await call.Peer.SendWindowUpdateAsync(1, 1500);
        received.AddRange(await call.ReceiveRequestBytesAsync(1500));
        await call.AssertNoRequestDataAsync();

        // A larger initial window widens the open stream too (RFC 9113 section 6.9.2): +2000.
        await call.Peer.SendSettingsAsync((Http2SettingId.InitialWindowSize, 3000));
        received.AddRange(await call.ReceiveRequestBytesAsync(2000));
        await call.AssertNoRequestDataAsync();

        await call.Peer.SendWindowUpdateAsync(1, 100000);
        received.AddRange(await call.ReceiveRequestBytesAsync(total - 4500));
        await write.WaitAsync(RawHttp2Peer.Timeout);
        Assert.Equal([payload], ScriptedSessionCall.Payloads([.. received]));
    }

    [Fact]
    public async Task Writes_wait_for_connection_credit()
    {
        await using var call = await ScriptedSessionCall.OpenAsync(null, (Http2SettingId.InitialWindowSize, 1 << 20));

        var write = call.Tunnel.WriteAsync(new byte[100000]).AsTask();
        await call.ReceiveRequestBytesAsync(65535);
        await call.AssertNoRequestDataAsync();
        Assert.False(write.IsCompleted);

        await call.Peer.SendWindowUpdateAsync(0, 1 << 20);
        await call.ReceiveRequestBytesAsync(5 + 4 + 100000 - 65535);
        await write.WaitAsync(RawHttp2Peer.Timeout);
    }

    [Fact]
    public async Task Settings_and_pings_are_acknowledged_at_once_and_a_larger_frame_size_is_used()
    {
        await using var call = await ScriptedSessionCall.OpenAsync();

        await call.Peer.SendSettingsAsync((Http2SettingId.MaxFrameSize, 20000), (Http2SettingId.HeaderTableSize, 0));
        await call.Peer.ExpectAsync(f => f.Type == Http2FrameType.Settings && f.HasFlag(Http2FrameFlags.Ack));
        await call.Peer.SendPingAsync(0x0102030405060708);
        var pong = await call.Peer.ExpectAsync(Http2FrameType.Ping);
        await call.Tunnel.WriteAsync(new byte[30000]);
        var first = await call.Peer.ExpectAsync(Http2FrameType.Data, 1);

        Assert.True(pong.HasFlag(Http2FrameFlags.Ack));
        Assert.Equal(0x0102030405060708ul, BinaryPrimitives.ReadUInt64BigEndian(pong.Payload));
        Assert.Equal(20000, first.Payload.Length);
    }

    [Fact]
    public async Task Consumed_response_data_is_credited_back_in_batches()
    {
        await using var call = await ScriptedSessionCall.OpenAsync();
        var payload = new byte[16000];
        const int Messages = 200;
        var flowControlled = Messages * ScriptedSessionCall.Message(payload).Length;

        await call.SendResponseHeadersAsync();
        for (var i = 0; i < Messages; i++)
        {
            await call.Peer.SendDataAsync(1, ScriptedSessionCall.Message(payload), endStream: false);
        }

        var buffer = new byte[50000];
        for (var consumed = 0; consumed < Messages * payload.Length;)
        {
            consumed += await call.Tunnel.ReadAsync(buffer);
        }

        var credit = new Dictionary<int, long> { [0] = 0, [1] = 0 };
        while (credit[0] < flowControlled - Http2ClientConnection.WindowUpdateThreshold || credit[1] < credit[0])
        {
            var update = await call.Peer.ExpectAsync(Http2FrameType.WindowUpdate);
            var increment = BinaryPrimitives.ReadInt32BigEndian(update.Payload);
            Assert.True(increment >= Http2ClientConnection.WindowUpdateThreshold, $"a WINDOW_UPDATE of {increment} is not batched");
            credit[update.StreamId] += increment;
        }

        Assert.InRange(credit[0], flowControlled - Http2ClientConnection.WindowUpdateThreshold, flowControlled);
        Assert.Equal(credit[0], credit[1]);
    }

    [Fact]
    public async Task A_gRPC_error_in_the_trailers_fails_the_read_after_the_data()
    {
        await using var call = await ScriptedSessionCall.OpenAsync();
        var buffer = new byte[100];

        await call.SendResponseHeadersAsync();
        await call.Peer.SendDataAsync(1, ScriptedSessionCall.Message("partial"u8), endStream: false);
        await call.SendTrailersAsync("13", "boom%20here");

        Assert.Equal(7, await call.Tunnel.ReadAsync(buffer));
        var error = await Assert.ThrowsAsync<GrpcCallFailedException>(() => call.Tunnel.ReadAsync(buffer).AsTask());
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("boom here", error.Detail);
        Assert.IsAssignableFrom<IOException>(error);
        await Assert.ThrowsAsync<IOException>(() => call.Tunnel.WriteAsync(new byte[1]).AsTask());
    }

    [Fact]
    public async Task A_trailers_only_refusal_fails_the_first_read()
    {
        await using var call = await ScriptedSessionCall.OpenAsync();

        await call.Peer.SendHeadersAsync(1, [.. ScriptedSessionCall.OkResponse, new("grpc-status", "12"), new("grpc-message", "unknown service")], endStream: true);

        var error = await Assert.ThrowsAsync<GrpcCallFailedException>(() => call.Tunnel.ReadAsync(new byte[10]).AsTask());
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("unknown service", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_that_is_not_gRPC_is_refused_and_the_stream_reset()
    {
        await using var call = await ScriptedSessionCall.OpenAsync();

        await call.Peer.SendHeadersAsync(1, [new(":status", "404"), new("content-type", "text/plain")], endStream: false);

        var error = await Assert.ThrowsAsync<IOException>(() => call.Tunnel.ReadAsync(new byte[10]).AsTask());
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        var reset = await call.Peer.ExpectAsync(Http2FrameType.RstStream, 1);
        Assert.Equal(Http2ErrorCode.Cancel, reset.ErrorCode);
    }

    [Fact]
    public async Task A_malformed_message_resets_the_stream_with_PROTOCOL_ERROR()
    {
        await using var call = await ScriptedSessionCall.OpenAsync();

        await call.SendResponseHeadersAsync();
        await call.Peer.SendDataAsync(1, [1, 0, 0, 0, 1, 0], endStream: false);

        var error = await Assert.ThrowsAsync<IOException>(() => call.Tunnel.ReadAsync(new byte[10]).AsTask());
        Assert.Contains("compressed", error.Message, StringComparison.Ordinal);
        var reset = await call.Peer.ExpectAsync(Http2FrameType.RstStream, 1);
        Assert.Equal(Http2ErrorCode.ProtocolError, reset.ErrorCode);
    }

    [Fact]
    public async Task A_stream_reset_by_the_daemon_fails_reads_and_a_blocked_write()
    {
        await using var call = await ScriptedSessionCall.OpenAsync(null, (Http2SettingId.InitialWindowSize, 10));
        var blocked = call.Tunnel.WriteAsync(new byte[1000]).AsTask();
        await call.ReceiveRequestBytesAsync(10);

        await call.Peer.SendRstStreamAsync(1, Http2ErrorCode.Cancel);

        var readError = await Assert.ThrowsAsync<IOException>(() => call.Tunnel.ReadAsync(new byte[10]).AsTask());
        Assert.Contains("Cancel", readError.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<IOException>(() => blocked.WaitAsync(RawHttp2Peer.Timeout));
    }

    [Fact]
    public async Task A_write_cancelled_mid_message_resets_the_stream()
    {
        await using var call = await ScriptedSessionCall.OpenAsync(null, (Http2SettingId.InitialWindowSize, 10));
        using var cancellation = new CancellationTokenSource();
        var write = call.Tunnel.WriteAsync(new byte[1000], cancellation.Token).AsTask();
        await call.ReceiveRequestBytesAsync(10);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(RawHttp2Peer.Timeout));
        var reset = await call.Peer.ExpectAsync(Http2FrameType.RstStream, 1);
        Assert.Equal(Http2ErrorCode.Cancel, reset.ErrorCode);
        await Assert.ThrowsAsync<IOException>(() => call.Tunnel.WriteAsync(new byte[1]).AsTask());
    }

    [Fact]
    public async Task A_half_close_behind_a_write_stuck_on_flow_control_can_be_given_up()
    {
        await using var call = await ScriptedSessionCall.OpenAsync(null, (Http2SettingId.InitialWindowSize, 10));
        var stuck = call.Tunnel.WriteAsync(new byte[1000]).AsTask();
        await call.ReceiveRequestBytesAsync(10);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ((ControlSessionStream)call.Tunnel).CompleteAsync(timeout.Token));
        Assert.False(stuck.IsCompleted);
        await call.Tunnel.DisposeAsync();

        // Closed mid-message: a reset, never END_STREAM after half a message.
        var reset = await call.Peer.ExpectAsync(f => f.Type is Http2FrameType.RstStream or Http2FrameType.Data && f.StreamId == 1);
        Assert.Equal(Http2FrameType.RstStream, reset.Type);
        Assert.Equal(Http2ErrorCode.Cancel, reset.ErrorCode);
        await Assert.ThrowsAsync<IOException>(() => stuck.WaitAsync(RawHttp2Peer.Timeout));
    }

    [Fact]
    public async Task GOAWAY_with_an_error_fails_the_read()
    {
        await using var call = await ScriptedSessionCall.OpenAsync();

        await call.Peer.SendGoAwayAsync(1, Http2ErrorCode.EnhanceYourCalm);

        var error = await Assert.ThrowsAsync<Http2ConnectionException>(() => call.Tunnel.ReadAsync(new byte[10]).AsTask());
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, error.ErrorCode);
    }

    [Fact]
    public async Task A_graceful_GOAWAY_lets_the_call_finish()
    {
        await using var call = await ScriptedSessionCall.OpenAsync();

        await call.Peer.SendGoAwayAsync(1, Http2ErrorCode.NoError);
        await call.SendResponseHeadersAsync();
        await call.Peer.SendDataAsync(1, ScriptedSessionCall.Message("still here"u8), endStream: false);
        await call.SendTrailersAsync();

        Assert.Equal("still here"u8.ToArray(), await call.ReadToEndAsync());
    }

    [Fact]
    public async Task A_peer_that_breaks_the_protocol_gets_GOAWAY()
    {
        await using var call = await ScriptedSessionCall.OpenAsync();

        await call.Peer.SendDataAsync(3, [1, 2, 3], endStream: false);

        var goAway = await call.Peer.ExpectGoAwayAsync();
        Assert.Equal(Http2ErrorCode.ProtocolError, goAway.ErrorCode);
        var error = await Assert.ThrowsAsync<Http2ConnectionException>(() => call.Tunnel.ReadAsync(new byte[10]).AsTask());
        Assert.Contains("never opened", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Half_close_sends_END_STREAM_and_dispose_says_GOAWAY_and_closes()
    {
        var call = await ScriptedSessionCall.OpenAsync();
        var tunnel = (ControlSessionStream)call.Tunnel;

        await tunnel.CompleteAsync();
        var end = await call.Peer.ExpectAsync(Http2FrameType.Data, 1);
        await call.SendResponseHeadersAsync();
        await call.SendTrailersAsync();
        var read = await tunnel.ReadAsync(new byte[10]);
        await tunnel.CompleteAsync();
        await tunnel.DisposeAsync();
        var goAway = await call.Peer.ExpectGoAwayAsync();
        var afterGoAway = await call.Peer.ReadFrameAsync();

        Assert.Empty(end.Payload);
        Assert.True(end.HasFlag(Http2FrameFlags.EndStream));
        Assert.Equal(0, read);
        Assert.Equal(Http2ErrorCode.NoError, goAway.ErrorCode);
        Assert.Null(afterGoAway);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => tunnel.ReadAsync(new byte[10]).AsTask());
        await call.DisposeAsync();
    }

    private static Dictionary<Http2SettingId, uint> ReadSettings(byte[] payload)
    {
        var settings = new Dictionary<Http2SettingId, uint>();
        for (var offset = 0; offset < payload.Length; offset += 6)
        {
            settings[(Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(offset))] = BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(offset + 2));
        }

        return settings;
    }
}
