using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Buildx.Core.Errors;
using k8s;

namespace Buildx.Core.Kubernetes;

/// <summary>
/// A process in a pod as a duplex byte stream: writes go to its stdin, reads come from its
/// stdout, over the exec subresource's WebSocket (<c>v4.channel.k8s.io</c>: each message starts
/// with its channel, 0 stdin, 1 stdout, 2 stderr, 3 the final status). Used for
/// <c>buildctl dial-stdio</c>, whose stdio is BuildKit's gRPC connection.
/// </summary>
public sealed class PodExecStream : Stream
{
    private const byte StdinChannel = 0;
    private const byte StdoutChannel = 1;
    private const byte StderrChannel = 2;
    private const byte StatusChannel = 3;

    private readonly WebSocket socket;
    private readonly string description;
    private readonly Action<string>? stderr;
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly byte[] receiveBuffer = new byte[64 * 1024];
    private readonly List<string> stderrLines = [];
    private IDisposable? owner;
    private ReadOnlyMemory<byte> pending;
    private bool receivingStdoutContinuation;
    private bool ended;

    private PodExecStream(WebSocket socket, string description, Action<string>? stderr)
    {
        this.socket = socket;
        this.description = description;
        this.stderr = stderr;
    }

    /// <summary>Starts <paramref name="command"/> in the pod's container with stdin, stdout and stderr attached, no TTY.</summary>
    public static async Task<PodExecStream> OpenAsync(
        IKubernetes client, string ns, string pod, string container, IReadOnlyList<string> command, Action<string>? stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(command);
        var description = $"exec of '{string.Join(' ', command)}' in pod {ns}/{pod}";
        try
        {
            var socket = await client.WebSocketNamespacedPodExecAsync(
                pod, ns, command, container, stderr: true, stdin: true, stdout: true, tty: false,
                webSocketSubProtocol: WebSocketProtocol.V4BinaryWebsocketProtocol, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new PodExecStream(socket, description, stderr);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or k8s.Autorest.HttpOperationException)
        {
            var status = ex is WebSocketException { InnerException: { } inner } ? inner.Message : ex.Message;
            throw new BuildxException(ErrorIds.KubernetesExecFailed, BuildxErrorKind.ConnectionError, $"The Kubernetes API server refused the {description}: {status}", pod, ex);
        }
    }

    /// <summary>Makes the stream dispose <paramref name="disposable"/> (the cluster connection it came from) with itself.</summary>
    internal PodExecStream Owning(IDisposable disposable)
    {
        owner = disposable;
        return this;
    }

    /// <summary>The stderr lines the process wrote, for error messages.</summary>
    public IReadOnlyList<string> StderrLines => stderrLines;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (pending.IsEmpty)
        {
            if (ended || !await ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }
        }

        var count = Math.Min(buffer.Length, pending.Length);
        pending[..count].CopyTo(buffer);
        pending = pending[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var message = new byte[buffer.Length + 1];
        message[0] = StdinChannel;
        buffer.CopyTo(message.AsMemory(1));
        await sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException ex)
        {
            throw Broken(ex);
        }
        finally
        {
            sendLock.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            socket.Abort();
            socket.Dispose();
            sendLock.Dispose();
            owner?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads one frame; false at the end of the process's output.</summary>
    private async Task<bool> ReceiveAsync(CancellationToken cancellationToken)
    {
        WebSocketReceiveResult result;
        try
        {
            result = await socket.ReceiveAsync(receiveBuffer, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException ex)
        {
            throw Broken(ex);
        }

        if (result.MessageType == WebSocketMessageType.Close)
        {
            ended = true;
            return false;
        }

        var frame = receiveBuffer.AsMemory(0, result.Count);
        if (receivingStdoutContinuation)
        {
            pending = frame.ToArray();
        }
        else if (frame.Length > 0)
        {
            var channel = frame.Span[0];
            var payload = frame[1..];
            if (channel == StdoutChannel)
            {
                pending = payload.ToArray();
            }
            else if (channel == StderrChannel)
            {
                var text = Encoding.UTF8.GetString(payload.Span).TrimEnd();
                if (text.Length > 0)
                {
                    stderrLines.Add(text);
                    stderr?.Invoke(text);
                }
            }
            else if (channel == StatusChannel)
            {
                ended = true;
                ThrowOnFailure(Encoding.UTF8.GetString(payload.Span));
                return false;
            }
        }

        receivingStdoutContinuation = !result.EndOfMessage && (receivingStdoutContinuation || (frame.Length > 0 && frame.Span[0] == StdoutChannel));
        return true;
    }

    private void ThrowOnFailure(string statusJson)
    {
        try
        {
            using var status = JsonDocument.Parse(statusJson);
            if (status.RootElement.TryGetProperty("status", out var outcome) && outcome.GetString() == "Failure")
            {
                var message = status.RootElement.TryGetProperty("message", out var text) ? text.GetString() : statusJson;
                throw new BuildxException(
                    ErrorIds.KubernetesExecFailed,
                    BuildxErrorKind.InvalidOperation,
                    $"The {description} failed: {message}{(stderrLines.Count > 0 ? $" ({string.Join(" / ", stderrLines.TakeLast(3))})" : string.Empty)}",
                    description);
            }
        }
        catch (JsonException)
        {
            // A status that is not JSON says nothing more than the end of the stream.
        }
    }

    private IOException Broken(Exception ex) => new(
        $"The {description} broke off ({ex.Message}); the pod may have been deleted or restarted.{(stderrLines.Count > 0 ? $" It said: {string.Join(" / ", stderrLines.TakeLast(3))}" : string.Empty)}",
        ex);
}
