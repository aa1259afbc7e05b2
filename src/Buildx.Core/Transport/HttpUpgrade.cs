using System.Globalization;
using System.Text;

namespace Buildx.Core.Transport;

/// <summary>The answer to an HTTP/1.1 upgrade request.</summary>
public sealed record HttpUpgradeResponse(int StatusCode, string ReasonPhrase, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// Performs an HTTP/1.1 <c>Upgrade</c> on an open stream (the Engine API's <c>POST /grpc</c> and
/// <c>POST /session</c>) and leaves the stream positioned at the first byte of the upgraded protocol.
/// </summary>
public static class HttpUpgrade
{
    private const int MaxHeadBytes = 64 * 1024;

    public static Task<HttpUpgradeResponse> SendAsync(
        Stream stream,
        string path,
        string protocol,
        IEnumerable<KeyValuePair<string, string>>? headers,
        CancellationToken cancellationToken)
        => SendAsync(stream, path, protocol, headers, ReadOnlyMemory<byte>.Empty, null, cancellationToken);

    /// <summary>
    /// The upgrade with blocking calls only, on the calling thread, for a socket that must stay out of
    /// .NET's socket engine (see <see cref="PolledSocketStream"/>). No token can interrupt a blocking read,
    /// so the wait for the answer is bounded by <paramref name="answerTimeout"/>, lifted afterwards.
    /// </summary>
    /// <exception cref="IOException">The answer did not come in time, or the connection failed.</exception>
    public static HttpUpgradeResponse SendBlocking(
        System.Net.Sockets.NetworkStream stream,
        TimeSpan answerTimeout,
        string path,
        string protocol,
        IEnumerable<KeyValuePair<string, string>>? headers,
        ReadOnlyMemory<byte> requestBody = default,
        string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Socket.ReceiveTimeout = (int)answerTimeout.TotalMilliseconds;
        try
        {
            // Completes synchronously: every call on the wrapper is a blocking one.
            return SendAsync(new SynchronousStream(stream), path, protocol, headers, requestBody, contentType, CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            stream.Socket.ReceiveTimeout = 0;
        }
    }

    /// <summary>
    /// Sends the upgrade request with a body: some upgrades take parameters that way, such as
    /// the Engine API's <c>POST /exec/{id}/start</c> with its JSON <c>{"Detach":false,"Tty":false}</c>.
    /// </summary>
    public static async Task<HttpUpgradeResponse> SendAsync(
        Stream stream,
        string path,
        string protocol,
        IEnumerable<KeyValuePair<string, string>>? headers,
        ReadOnlyMemory<byte> requestBody,
        string? contentType,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var request = new StringBuilder();
        request.Append(CultureInfo.InvariantCulture, $"POST {path} HTTP/1.1\r\n");
        request.Append("Host: docker\r\n");
        request.Append("User-Agent: Buildx.PowerShell\r\n");
        request.Append("Connection: Upgrade\r\n");
        request.Append(CultureInfo.InvariantCulture, $"Upgrade: {protocol}\r\n");
        request.Append(CultureInfo.InvariantCulture, $"Content-Length: {requestBody.Length}\r\n");
        if (contentType is not null)
        {
            request.Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n");
        }

        foreach (var header in headers ?? [])
        {
            request.Append(CultureInfo.InvariantCulture, $"{header.Key}: {header.Value}\r\n");
        }

        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);
        if (!requestBody.IsEmpty)
        {
            await stream.WriteAsync(requestBody, cancellationToken).ConfigureAwait(false);
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        var head = await ReadHeadAsync(stream, cancellationToken).ConfigureAwait(false);
        var response = ParseHead(head);
        if (response.StatusCode == 101)
        {
            return response;
        }

        // A refusal carries a short body (an error message); read it so the caller can show it.
        var body = await ReadBodyAsync(stream, response.Headers, cancellationToken).ConfigureAwait(false);
        return response with { Body = body };
    }

    /// <summary>
    /// Reads up to the blank line byte by byte: the head is small, and not reading past it
    /// means the upgraded protocol's first bytes stay in the stream.
    /// </summary>
    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[1];
        var head = new List<byte>(256);
        while (head.Count < MaxHeadBytes)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The connection closed before the HTTP response head was complete.");
            }

            head.Add(buffer[0]);
            var n = head.Count;
            if (n >= 4 && head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r' && head[n - 1] == '\n')
            {
                return Encoding.ASCII.GetString(head.ToArray(), 0, n - 4);
            }
        }

        throw new IOException("The HTTP response head is larger than 64 KiB.");
    }

    internal static HttpUpgradeResponse ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw new IOException($"The peer did not answer with HTTP/1.x: '{lines[0]}'.");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return new HttpUpgradeResponse(code, status.Length > 2 ? status[2] : string.Empty, headers, string.Empty);
    }

    private static async Task<string> ReadBodyAsync(Stream stream, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        if (!headers.TryGetValue("Content-Length", out var lengthText)
            || !int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length <= 0)
        {
            return string.Empty;
        }

        var body = new byte[Math.Min(length, 8192)];
        var total = 0;
        while (total < body.Length)
        {
            var read = await stream.ReadAsync(body.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return Encoding.UTF8.GetString(body, 0, total).Trim();
    }
}
