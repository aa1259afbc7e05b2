using System.Globalization;
using Buildx.Core.Session.Http2;
using Grpc.Core;

namespace Buildx.Core.Session.Grpc;

/// <summary>
/// The response of a streaming call whose messages are <c>BytesMessage</c>s, as a byte stream: it
/// checks the response headers, decodes the messages as DATA arrives and hands their payloads to the
/// reader, and turns the trailers' grpc-status into the end of the stream or a
/// <see cref="GrpcCallFailedException"/>.
/// </summary>
internal sealed class BytesMessageResponse(string call) : IHttp2ResponseReceiver
{
    private readonly HandoffReadBuffer payloads = new();
    private readonly BytesMessageDecoder decoder = new();
    private bool headersReceived;
    private IOException? status;

    /// <summary>Payload bytes in order; 0 once the call ended with OK; the call's failure otherwise.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken) =>
        payloads.ReadAsync(destination, cancellationToken);

    /// <summary>Drops unread payloads; reads fail from now on.</summary>
    public void Release() => payloads.Release();

    public void OnHeaders(IReadOnlyList<KeyValuePair<string, string>> fields, bool endStream)
    {
        if (!headersReceived)
        {
            headersReceived = true;
            var httpStatus = Find(fields, ":status");
            if (httpStatus != "200")
            {
                // grpc-status, when present, says more than the HTTP status (a trailers-only response).
                throw endStream && Find(fields, "grpc-status") is not null
                    ? StatusOf(fields) ?? new IOException($"{call} answered HTTP status {httpStatus}.")
                    : new IOException($"{call} answered HTTP status {httpStatus ?? "(none)"}, not a gRPC response.");
            }

            var contentType = Find(fields, "content-type");
            if (contentType is null || !contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
            {
                throw new IOException($"{call} answered with content-type {contentType ?? "(none)"}, not a gRPC response.");
            }
        }

        if (endStream)
        {
            status = Find(fields, "grpc-status") is null
                ? new IOException($"{call} ended without a grpc-status.")
                : StatusOf(fields);
        }
    }

    public int OnData(ReadOnlySpan<byte> data)
    {
        var kept = 0;
        while (decoder.TryReadPayload(ref data, out var payload))
        {
            payloads.Write(payload);
            kept += payload.Length;
        }

        return kept;
    }

    public void OnInputIdle() => payloads.Publish();

    public void OnEnd(IOException? error)
    {
        if (error is null && !decoder.AtMessageBoundary)
        {
            error = new IOException($"{call}'s response ended inside a message.");
        }

        payloads.Complete(error ?? status);
    }

    private GrpcCallFailedException? StatusOf(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        var value = Find(fields, "grpc-status");
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return new GrpcCallFailedException(call, StatusCode.Unknown, $"unparsable grpc-status \"{value}\"");
        }

        return code == 0
            ? null
            : new GrpcCallFailedException(call, (StatusCode)code, GrpcStatusMessage.Decode(Find(fields, "grpc-message") ?? string.Empty));
    }

    private static string? Find(IReadOnlyList<KeyValuePair<string, string>> fields, string name)
    {
        foreach (var (key, value) in fields)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }
}
