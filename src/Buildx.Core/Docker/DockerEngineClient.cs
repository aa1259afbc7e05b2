using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Serialization;
using Buildx.Core.Errors;
using Buildx.Core.Transport;

namespace Buildx.Core.Docker;

/// <summary>The parts of <c>GET /version</c> the module uses.</summary>
public sealed record EngineVersion(
    [property: JsonPropertyName("Version")] string Version,
    [property: JsonPropertyName("ApiVersion")] string ApiVersion,
    [property: JsonPropertyName("Os")] string Os,
    [property: JsonPropertyName("Arch")] string Arch);

/// <summary>
/// A small Docker Engine API client over the engine's own socket. It covers what the drivers
/// need and turns connection failures into errors that name the endpoint and what to check.
/// </summary>
public sealed class DockerEngineClient : IDisposable
{
    private readonly HttpClient http;

    public DockerEngineClient(DockerContext context, TimeSpan? connectTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
        ConnectTimeout = connectTimeout ?? EndpointDialer.DefaultConnectTimeout;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = (_, cancellationToken) => new ValueTask<Stream>(DialAsync(cancellationToken)),
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        http = new HttpClient(handler) { BaseAddress = new Uri("http://api.moby.localhost/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public DockerContext Context { get; }

    public TimeSpan ConnectTimeout { get; }

    /// <summary>Checks the engine answers; returns the API version it announces.</summary>
    public async Task<string?> PingAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "_ping"), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "GET /_ping", cancellationToken).ConfigureAwait(false);
        return response.Headers.TryGetValues("Api-Version", out var values) ? values.FirstOrDefault() : null;
    }

    /// <summary>The parts of <c>GET /info</c> the container driver uses (cgroup driver, userns).</summary>
    public async Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "info"), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "GET /info", cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<EngineInfo>(cancellationToken).ConfigureAwait(false)
            ?? throw new BuildxException(ErrorIds.EngineUnreachable, BuildxErrorKind.ProtocolError, $"The engine at {Context.Host} answered GET /info with an empty body.", Context.Host.Original);
    }

    public async Task<EngineVersion> GetVersionAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "version"), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "GET /version", cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<EngineVersion>(cancellationToken).ConfigureAwait(false)
            ?? throw new BuildxException(ErrorIds.EngineUnreachable, BuildxErrorKind.ProtocolError, $"The engine at {Context.Host} answered GET /version with an empty body.", Context.Host.Original);
    }

    /// <summary>
    /// Opens a new connection and upgrades it with <c>POST /grpc</c> (h2c): afterwards it speaks
    /// gRPC to the engine's embedded BuildKit. This is the docker driver's stream.
    /// </summary>
    public Task<Stream> DialBuildkitAsync(CancellationToken cancellationToken) =>
        DialUpgradedAsync("/grpc", null, cancellationToken);

    /// <summary>
    /// Opens a BuildKit session tunnel with <c>POST /session</c> (h2c). Unlike gRPC metadata,
    /// HTTP/1.1 header lines can repeat, which is how BuildKit expects one line per served method.
    /// Over a unix socket it is dialed and upgraded with blocking calls on a pool thread, so that the
    /// socket is never used asynchronously: the session then reads and writes it from threads of its
    /// own without the socket engine (see <see cref="Transport.PolledSocketStream"/>).
    /// </summary>
    public Task<Stream> DialSessionAsync(IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken) =>
        Context.Host.Kind == EndpointKind.Unix
            ? Task.Run<Stream>(() => DialUpgradedBlocking("/session", headers), cancellationToken)
            : DialUpgradedAsync("/session", headers, cancellationToken);

    private NetworkStream DialUpgradedBlocking(string path, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var stream = DialUnixBlocking();
        try
        {
            var response = HttpUpgrade.SendBlocking(stream, ConnectTimeout, path, "h2c", headers);
            ThrowIfNotUpgraded(path, response);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private async Task<Stream> DialUpgradedAsync(string path, IReadOnlyList<KeyValuePair<string, string>>? headers, CancellationToken cancellationToken)
    {
        var stream = await DialAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await HttpUpgrade.SendAsync(stream, path, "h2c", headers, cancellationToken).ConfigureAwait(false);
            ThrowIfNotUpgraded(path, response);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose() => http.Dispose();

    private void ThrowIfNotUpgraded(string path, HttpUpgradeResponse response)
    {
        if (response.StatusCode != 101)
        {
            throw new BuildxException(
                ErrorIds.EngineUpgradeRefused,
                BuildxErrorKind.NotImplemented,
                $"The Docker engine at {Context.Host} refused the BuildKit upgrade (POST {path} answered {response.StatusCode} {response.ReasonPhrase}{(response.Body.Length > 0 ? ": " + response.Body : string.Empty)}). The engine may be too old or have BuildKit disabled; use a docker-container or remote builder instead.",
                Context.Host.Original);
        }
    }

    /// <summary>
    /// Sends an API call for the sibling clients (containers, images, exec). A null
    /// <paramref name="answerTimeout"/> waits as long as the call takes: stopping a container or
    /// pulling an image legitimately takes longer than the connect timeout.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, TimeSpan? answerTimeout, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (answerTimeout is { } timeout)
            {
                deadline.CancelAfter(timeout);
            }

            try
            {
                return await http.SendAsync(request, completion, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw Unreachable($"{request.Method} {request.RequestUri} got no answer within {answerTimeout?.TotalSeconds:0.#} s", ex);
            }
            catch (HttpRequestException ex) when (ex.InnerException is BuildxException inner)
            {
                throw inner;
            }
            catch (HttpRequestException ex)
            {
                throw Unreachable(ex.Message, ex);
            }
        }
    }

    /// <summary>
    /// The error for an API call the engine refused: names the call, the object ("container 'x'")
    /// and the engine's own message; the kind follows the status; the target is the object's name.
    /// </summary>
    internal async Task<BuildxException> CallFailedAsync(HttpResponseMessage response, string what, string subject, string target, CancellationToken cancellationToken)
    {
        var message = await EngineErrorMessage.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        return CallFailed((int)response.StatusCode, response.ReasonPhrase, message, what, subject, target);
    }

    internal BuildxException CallFailed(int statusCode, string? reasonPhrase, string message, string what, string subject, string target) => new(
        ErrorIds.EngineCallFailed,
        statusCode switch
        {
            404 => BuildxErrorKind.ObjectNotFound,
            403 => BuildxErrorKind.PermissionDenied,
            400 => BuildxErrorKind.InvalidArgument,
            _ => BuildxErrorKind.InvalidOperation,
        },
        $"The Docker engine at {Context.Host} refused {what} for {subject} ({statusCode} {reasonPhrase}){(message.Length > 0 ? ": " + message : ".")}",
        target);

    /// <summary>Opens a new raw connection to the engine, for calls that hijack it (upgrades, exec attach).</summary>
    internal async Task<Stream> DialAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await EndpointDialer.DialAsync(Context.Host, ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (BuildxException ex) when (ex.ErrorId == ErrorIds.EngineUnreachable)
        {
            throw Unreachable($"no connection within {ConnectTimeout.TotalSeconds:0.#} s", ex);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            throw Unreachable(ex.Message, ex);
        }
    }

    /// <summary>A new raw connection to a unix engine socket, dialed with a blocking call, for sessions read by polling.</summary>
    internal NetworkStream DialUnixBlocking()
    {
        try
        {
            return EndpointDialer.DialUnixBlocking(Context.Host.Address);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            throw Unreachable(ex.Message, ex);
        }
    }

    /// <summary>
    /// Sends a short API call. A peer that accepts but never answers must not hang a command,
    /// so the answer is bounded by the connect timeout too.
    /// </summary>
    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => SendAsync(request, ConnectTimeout, HttpCompletionOption.ResponseContentRead, cancellationToken);

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw new BuildxException(
            ErrorIds.EngineUnreachable,
            response.StatusCode == HttpStatusCode.Forbidden ? BuildxErrorKind.PermissionDenied : BuildxErrorKind.ConnectionError,
            $"The Docker engine at {Context.Host} answered {what} with {(int)response.StatusCode} {response.ReasonPhrase}: {body.Trim()}",
            Context.Host.Original);
    }

    private BuildxException Unreachable(string reason, Exception inner) => new(
        ErrorIds.EngineUnreachable,
        BuildxErrorKind.ConnectionError,
        $"Cannot reach the Docker engine at {Context.Host} (from {Context.Source}): {reason}. Check that dockerd is running and that this user may open its socket, or point DOCKER_HOST or the Docker context at a running engine.",
        Context.Host.Original,
        inner);
}
