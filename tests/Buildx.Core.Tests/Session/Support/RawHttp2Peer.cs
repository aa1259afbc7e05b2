using System.Buffers.Binary;
using Buildx.Core.Session.Http2;
using Buildx.Core.Session.Http2.Hpack;

namespace Buildx.Core.Tests.Session.Support;

/// <summary>A frame received by the test peer, with its payload copied out of the reader's buffer.</summary>
internal sealed record ReceivedFrame(Http2FrameHeader Header, byte[] Payload)
{
    public Http2FrameType Type => Header.Type;

    public int StreamId => Header.StreamId;

    public bool HasFlag(Http2FrameFlags flag) => Header.HasFlag(flag);

    /// <summary>The error code of a RST_STREAM or GOAWAY; null for other frames.</summary>
    public Http2ErrorCode? ErrorCode => Type switch
    {
        Http2FrameType.RstStream => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload),
        Http2FrameType.GoAway => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4)),
        _ => null,
    };
}

/// <summary>
/// A hand-driven HTTP/2 peer for protocol tests: it writes exactly the frames a test asks for and reads
/// what the other side answers, over an in-memory pipe. Usually it is the client of an
/// <see cref="Http2ServerConnection"/>; <see cref="StartAsServer"/> makes it the server for a client under test.
/// </summary>
internal sealed class RawHttp2Peer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly DuplexPipeStream own;
    private readonly Http2FrameReader reader;
    private readonly HpackEncoder encoder = new();
    private readonly HpackDecoder decoder = new(4096, 1 << 20);

    private RawHttp2Peer(DuplexPipeStream own, DuplexPipeStream other, Task serverRun)
    {
        this.own = own;
        Server = other;
        ServerRun = serverRun;
        reader = new Http2FrameReader(own, Http2ServerLimits.MaxAllowedFrameSize);
    }

    /// <summary>The other end of the pipe: the server's, or with <see cref="StartAsServer"/> the client's.</summary>
    public DuplexPipeStream Server { get; }

    /// <summary>The server's <see cref="Http2ServerConnection.RunAsync"/>.</summary>
    public Task ServerRun { get; }

    public Http2ServerConnection? Connection { get; private set; }

    /// <summary>Starts a server and, unless told otherwise, sends the preface and an empty SETTINGS.</summary>
    public static async Task<RawHttp2Peer> StartAsync(Func<Http2Stream, Task> handler, bool sendPreface = true, CancellationToken cancellationToken = default)
    {
        var (client, server) = DuplexPipeStream.CreatePair();
        var connection = new Http2ServerConnection(server, handler);
        var run = Task.Run(() => connection.RunAsync(cancellationToken), CancellationToken.None);
        var peer = new RawHttp2Peer(client, server, run) { Connection = connection };
        if (sendPreface)
        {
            await peer.SendRawAsync(Http2FrameReader.ClientPreface.ToArray());
            await peer.SendSettingsAsync();
        }

        return peer;
    }

    /// <summary>
    /// A peer that plays the server for a client under test: the client gets <see cref="Server"/> (its
    /// end of the pipe), the test reads its preface with <see cref="ReadClientPrefaceAsync"/> and scripts answers.
    /// </summary>
    public static RawHttp2Peer StartAsServer()
    {
        var (clientEnd, serverEnd) = DuplexPipeStream.CreatePair();
        return new RawHttp2Peer(serverEnd, clientEnd, Task.CompletedTask);
    }

    public async Task ReadClientPrefaceAsync()
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        await reader.ReadPrefaceAsync(cancellation.Token);
    }

    public ValueTask SendRawAsync(byte[] bytes) => own.WriteAsync(bytes);

    public ValueTask SendSettingsAsync(params (Http2SettingId Id, uint Value)[] settings)
    {
        var frame = new byte[Http2FrameHeader.Size + (settings.Length * Http2FrameWriter.SettingSize)];
        Http2FrameWriter.WriteSettings(frame, settings.Select(s => KeyValuePair.Create(s.Id, s.Value)).ToArray());
        return SendRawAsync(frame);
    }

    public ValueTask SendPingAsync(ulong data, bool ack = false)
    {
        var frame = new byte[Http2FrameWriter.PingSize];
        Http2FrameWriter.WritePing(frame, ack, data);
        return SendRawAsync(frame);
    }

    public ValueTask SendWindowUpdateAsync(int streamId, int increment)
    {
        var frame = new byte[Http2FrameWriter.WindowUpdateSize];
        Http2FrameWriter.WriteWindowUpdate(frame, streamId, increment);
        return SendRawAsync(frame);
    }

    public ValueTask SendRstStreamAsync(int streamId, Http2ErrorCode errorCode)
    {
        var frame = new byte[Http2FrameWriter.RstStreamSize];
        Http2FrameWriter.WriteRstStream(frame, streamId, errorCode);
        return SendRawAsync(frame);
    }

    public ValueTask SendGoAwayAsync(int lastStreamId, Http2ErrorCode errorCode)
    {
        var frame = new byte[Http2FrameWriter.GoAwayFixedSize];
        Http2FrameWriter.WriteGoAway(frame, lastStreamId, errorCode, default);
        return SendRawAsync(frame);
    }

    public ValueTask SendDataAsync(int streamId, byte[] data, bool endStream, int padding = -1) =>
        SendRawAsync(Frame(Http2FrameType.Data, endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None, streamId, data, padding));

    /// <summary>A gRPC request's headers for <paramref name="path"/>.</summary>
    public static List<KeyValuePair<string, string>> GrpcRequest(string path) =>
    [
        new(":method", "POST"),
        new(":scheme", "http"),
        new(":path", path),
        new(":authority", "localhost"),
        new("content-type", "application/grpc"),
        new("te", "trailers"),
    ];

    /// <summary>Encodes a header block with this peer's encoder (so blocks must be sent in encoding order).</summary>
    public byte[] EncodeHeaders(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        var block = new byte[HpackEncoder.MaxEncodedLength(fields)];
        return block.AsSpan(0, encoder.Encode(fields, block)).ToArray();
    }

    public ValueTask SendHeadersAsync(int streamId, IReadOnlyList<KeyValuePair<string, string>> fields, bool endStream, int padding = -1) =>
        SendRawAsync(Frame(
            Http2FrameType.Headers,
            Http2FrameFlags.EndHeaders | (endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None),
            streamId,
            EncodeHeaders(fields),
            padding));

    /// <summary>Builds any frame; a non-negative <paramref name="padding"/> adds the PADDED flag and that many zero octets.</summary>
    public static byte[] Frame(Http2FrameType type, Http2FrameFlags flags, int streamId, ReadOnlySpan<byte> payload, int padding = -1)
    {
        var padded = padding >= 0;
        var length = payload.Length + (padded ? 1 + padding : 0);
        var frame = new byte[Http2FrameHeader.Size + length];
        new Http2FrameHeader(length, type, flags | (padded ? Http2FrameFlags.Padded : Http2FrameFlags.None), streamId).WriteTo(frame);
        var position = Http2FrameHeader.Size;
        if (padded)
        {
            frame[position++] = (byte)padding;
        }

        payload.CopyTo(frame.AsSpan(position));
        return frame;
    }

    /// <summary>A gRPC length-prefixed message.</summary>
    public static byte[] GrpcMessage(ReadOnlySpan<byte> body)
    {
        var message = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(1), (uint)body.Length);
        body.CopyTo(message.AsSpan(5));
        return message;
    }

    public async Task<ReceivedFrame?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? Timeout);
        var frame = await reader.ReadFrameAsync(cancellation.Token);
        return frame is { } f ? new ReceivedFrame(f.Header, f.Payload.ToArray()) : null;
    }

    /// <summary>Reads frames until one matches, returning it; fails on end of stream or timeout.</summary>
    public async Task<ReceivedFrame> ExpectAsync(Func<ReceivedFrame, bool> match, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? Timeout);
        while (true)
        {
            var frame = await reader.ReadFrameAsync(cancellation.Token)
                ?? throw new EndOfStreamException("The server closed the connection before the expected frame.");
            var copy = new ReceivedFrame(frame.Header, frame.Payload.ToArray());
            if (match(copy))
            {
                return copy;
            }
        }
    }

    public Task<ReceivedFrame> ExpectAsync(Http2FrameType type, int streamId = -1, TimeSpan? timeout = null) =>
        ExpectAsync(frame => frame.Type == type && (streamId < 0 || frame.StreamId == streamId), timeout);

    /// <summary>Reads until GOAWAY and returns it.</summary>
    public Task<ReceivedFrame> ExpectGoAwayAsync() => ExpectAsync(Http2FrameType.GoAway);

    /// <summary>Decodes a single-frame header block received from the other side.</summary>
    public List<KeyValuePair<string, string>> DecodeHeaders(ReceivedFrame frame)
    {
        var fields = new List<KeyValuePair<string, string>>();
        decoder.Decode(frame.Payload, fields);
        return fields;
    }

    /// <summary>Ends this peer's output (the other side sees end of stream).</summary>
    public void CloseOutput() => own.Output.Complete();

    public async ValueTask DisposeAsync()
    {
        own.Output.Complete();
        Server.Output.Complete();
        try
        {
            await ServerRun.WaitAsync(Timeout);
        }
        catch (Exception error) when (error is IOException or OperationCanceledException)
        {
        }

        await own.DisposeAsync();
    }
}
