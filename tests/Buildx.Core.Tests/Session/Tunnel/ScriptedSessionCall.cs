using System.Buffers.Binary;
using Buildx.Core.BuildKit.Protocol.Control;
using Buildx.Core.Session;
using Buildx.Core.Session.Http2;
using Buildx.Core.Tests.Session.Support;
using Google.Protobuf;

namespace Buildx.Core.Tests.Session.Tunnel;

/// <summary>
/// A <see cref="ControlSessionTunnel"/> opened against a <see cref="RawHttp2Peer"/> playing the daemon:
/// the client's preface, SETTINGS, window and request headers are read, the peer's SETTINGS sent and
/// acknowledged, so a test starts with the call open.
/// </summary>
internal sealed class ScriptedSessionCall : IAsyncDisposable
{
    public static readonly KeyValuePair<string, string>[] OkResponse =
    [
        new(":status", "200"),
        new("content-type", "application/grpc"),
    ];

    private ScriptedSessionCall(RawHttp2Peer peer, Stream tunnel)
    {
        Peer = peer;
        Tunnel = tunnel;
    }

    public RawHttp2Peer Peer { get; }

    public Stream Tunnel { get; }

    public ReceivedFrame ClientSettings { get; private set; } = null!;

    public ReceivedFrame ClientWindowUpdate { get; private set; } = null!;

    public List<KeyValuePair<string, string>> RequestHeaders { get; private set; } = [];

    public ReceivedFrame RequestHeadersFrame { get; private set; } = null!;

    public static async Task<ScriptedSessionCall> OpenAsync(
        IReadOnlyList<KeyValuePair<string, string>>? metadata = null,
        params (Http2SettingId Id, uint Value)[] peerSettings)
    {
        var peer = RawHttp2Peer.StartAsServer();
        var tunnel = await ControlSessionTunnel.OpenAsync(_ => Task.FromResult<Stream>(peer.Server), metadata ?? [new("x-test", "1")], CancellationToken.None);
        var call = new ScriptedSessionCall(peer, tunnel);
        await peer.ReadClientPrefaceAsync();
        call.ClientSettings = (await peer.ReadFrameAsync())!;
        call.ClientWindowUpdate = (await peer.ReadFrameAsync())!;
        call.RequestHeadersFrame = (await peer.ReadFrameAsync())!;
        call.RequestHeaders = peer.DecodeHeaders(call.RequestHeadersFrame);
        await peer.SendSettingsAsync(peerSettings);
        await peer.ExpectAsync(f => f.Type == Http2FrameType.Settings && f.HasFlag(Http2FrameFlags.Ack));
        return call;
    }

    /// <summary>A gRPC-framed BytesMessage, as the daemon sends it.</summary>
    public static byte[] Message(ReadOnlySpan<byte> payload) =>
        RawHttp2Peer.GrpcMessage(new BytesMessage { Data = ByteString.CopyFrom(payload) }.ToByteArray());

    /// <summary>Splits gRPC-framed BytesMessages into their payloads.</summary>
    public static List<byte[]> Payloads(byte[] framed)
    {
        var payloads = new List<byte[]>();
        for (var position = 0; position < framed.Length;)
        {
            Assert.Equal(0, framed[position]);
            var length = BinaryPrimitives.ReadInt32BigEndian(framed.AsSpan(position + 1));
            payloads.Add(BytesMessage.Parser.ParseFrom(framed.AsSpan(position + 5, length)).Data.ToByteArray());
            position += 5 + length;
        }

        return payloads;
    }

    public ValueTask SendResponseHeadersAsync() => Peer.SendHeadersAsync(1, OkResponse, endStream: false);

    /// <summary>Ends the call with a grpc-status (and grpc-message, already percent-encoded).</summary>
    public ValueTask SendTrailersAsync(string status = "0", string? message = null) =>
        Peer.SendHeadersAsync(
            1,
            message is null ? [new("grpc-status", status)] : [new("grpc-status", status), new("grpc-message", message)],
            endStream: true);

    /// <summary>Collects request DATA on stream 1 until <paramref name="count"/> octets arrived, checking frame sizes.</summary>
    public async Task<byte[]> ReceiveRequestBytesAsync(int count, int maxFrameSize = 16384)
    {
        var received = new MemoryStream();
        while (received.Length < count)
        {
            var frame = await Peer.ExpectAsync(Http2FrameType.Data, 1);
            Assert.InRange(frame.Payload.Length, 0, maxFrameSize);
            received.Write(frame.Payload);
        }

        Assert.Equal(count, received.Length);
        return received.ToArray();
    }

    /// <summary>Checks no request DATA arrives for a while (the client is waiting for credit).</summary>
    public async Task AssertNoRequestDataAsync()
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Peer.ExpectAsync(f => f.Type == Http2FrameType.Data, TimeSpan.FromMilliseconds(150)));
    }

    /// <summary>Reads the tunnel until it ends.</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        var all = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(RawHttp2Peer.Timeout);
        int read;
        while ((read = await Tunnel.ReadAsync(buffer, timeout.Token)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await Tunnel.DisposeAsync();
        await Peer.DisposeAsync();
    }
}
