using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Serialization;
using Buildx.Core.Errors;
using Buildx.Core.Transport;

namespace Buildx.Core.Docker;

/// <summary>
/// Runs commands in a running container (<c>POST /containers/{name}/exec</c>, then
/// <c>POST /exec/{id}/start</c> hijacked with <c>Upgrade: tcp</c>), either as a live duplex
/// stream or to completion.
/// </summary>
public sealed class DockerExec(DockerEngineClient engine)
{
    private static readonly byte[] StartBody = Encoding.ASCII.GetBytes("{\"Detach\":false,\"Tty\":false}");

    /// <summary>How long an exited process may take to show its exit code in the exec's inspect.</summary>
    private static readonly TimeSpan ExitCodeWait = TimeSpan.FromSeconds(5);

    /// <summary>Creates an exec with stdout and stderr attached (no TTY, so the output is multiplexed); returns its id.</summary>
    /// <exception cref="BuildxException"><see cref="ErrorIds.ContainerNotFound"/>, or <see cref="ErrorIds.ContainerNotRunning"/> for a stopped or paused container.</exception>
    public async Task<string> CreateAsync(string container, IReadOnlyList<string> command, bool attachStdin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var body = new ExecSpec(attachStdin, true, true, false, command);
        using var content = JsonContent.Create(body, options: EngineJson.Options);
        using var response = await engine.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, $"containers/{Uri.EscapeDataString(container)}/exec") { Content = content },
            engine.ConnectTimeout,
            HttpCompletionOption.ResponseContentRead,
            cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotFound:
                throw new BuildxException(
                    ErrorIds.ContainerNotFound,
                    BuildxErrorKind.ObjectNotFound,
                    $"Cannot run '{string.Join(' ', command)}': there is no container named '{container}' on the Docker engine at {engine.Context.Host}.",
                    container);
            case HttpStatusCode.Conflict:
                throw new BuildxException(
                    ErrorIds.ContainerNotRunning,
                    BuildxErrorKind.InvalidOperation,
                    $"Cannot run '{string.Join(' ', command)}' in container '{container}': {await EngineErrorMessage.ReadAsync(response, cancellationToken).ConfigureAwait(false)}",
                    container);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await engine.CallFailedAsync(response, $"the exec of '{string.Join(' ', command)}'", DockerContainers.ContainerTarget(container), container, cancellationToken).ConfigureAwait(false);
        }

        var created = await response.Content.ReadFromJsonAsync<CreatedExec>(cancellationToken).ConfigureAwait(false);
        return created?.Id is { Length: > 0 } id
            ? id
            : throw new BuildxException(ErrorIds.ExecFailed, BuildxErrorKind.ProtocolError, $"The Docker engine at {engine.Context.Host} created an exec in container '{container}' without an id.", container);
    }

    /// <summary>
    /// Starts the exec on a new connection and hands the connection over: reads are the
    /// process's stdout, writes its stdin, <see cref="MultiplexedStream.CloseWrite"/> its stdin's end.
    /// </summary>
    /// <param name="description">What runs where, for messages: "exec of 'buildctl dial-stdio' in container 'x'".</param>
    /// <param name="onStderrLine">Gets each line the process writes to stderr.</param>
    /// <param name="polled">
    /// For a session carried by the exec's stdio: over a unix engine socket the connection is dialed and
    /// upgraded with blocking calls (on a pool thread) and then read and written through
    /// <see cref="PolledSocketStream"/>, so the session's own threads move its bytes without the socket engine.
    /// </param>
    public async Task<MultiplexedStream> StartAsync(string execId, string description, Action<string>? onStderrLine, CancellationToken cancellationToken, bool polled = false)
    {
        var path = $"/exec/{Uri.EscapeDataString(execId)}/start";
        polled &= engine.Context.Host.Kind == EndpointKind.Unix;
        Stream connection = polled
            ? await Task.Run(engine.DialUnixBlocking, cancellationToken).ConfigureAwait(false)
            : await engine.DialAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The handshake is a short call: bound it like one, the stream after it is not.
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            handshake.CancelAfter(engine.ConnectTimeout);
            HttpUpgradeResponse response;
            try
            {
                response = polled
                    ? await Task.Run(() => HttpUpgrade.SendBlocking((NetworkStream)connection, engine.ConnectTimeout, path, "tcp", null, StartBody, "application/json"), handshake.Token).ConfigureAwait(false)
                    : await HttpUpgrade.SendAsync(connection, path, "tcp", null, StartBody, "application/json", handshake.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BuildxException(ErrorIds.ExecFailed, BuildxErrorKind.OperationTimeout, $"The Docker engine at {engine.Context.Host} did not start the {description} within {engine.ConnectTimeout.TotalSeconds:0.#} s.", description, ex);
            }
            catch (IOException ex)
            {
                throw new BuildxException(ErrorIds.ExecFailed, BuildxErrorKind.ConnectionError, $"The Docker engine at {engine.Context.Host} closed the connection while starting the {description}: {ex.Message}", description, ex);
            }

            // 101 after the upgrade; an engine that does not upgrade still hijacks the connection and answers 200.
            if (response.StatusCode is not (101 or 200))
            {
                var reason = EngineErrorMessage.FromBody(response.Body);
                throw new BuildxException(
                    response.StatusCode == 409 ? ErrorIds.ContainerNotRunning : ErrorIds.ExecFailed,
                    response.StatusCode == 404 ? BuildxErrorKind.ObjectNotFound : BuildxErrorKind.InvalidOperation,
                    $"The Docker engine at {engine.Context.Host} refused to start the {description} ({response.StatusCode} {response.ReasonPhrase}){(reason.Length > 0 ? ": " + reason : ".")}",
                    description);
            }

            return new MultiplexedStream(polled ? new PolledSocketStream((NetworkStream)connection) : connection, description, onStderrLine);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<ExecInspection> InspectAsync(string execId, CancellationToken cancellationToken)
    {
        using var response = await engine.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"exec/{Uri.EscapeDataString(execId)}/json"), engine.ConnectTimeout, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await engine.CallFailedAsync(response, "an inspect", $"exec '{execId}'", execId, cancellationToken).ConfigureAwait(false);
        }

        return await response.Content.ReadFromJsonAsync<ExecInspection>(cancellationToken).ConfigureAwait(false) ?? new ExecInspection { Id = execId };
    }

    /// <summary>Runs a command to completion (no stdin) and returns its exit code and output.</summary>
    public async Task<ExecResult> RunAsync(string container, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var execId = await CreateAsync(container, command, attachStdin: false, cancellationToken).ConfigureAwait(false);
        var description = $"exec of '{string.Join(' ', command)}' in container '{container}'";
        string stdout;
        IReadOnlyList<string> stderr;
        var output = await StartAsync(execId, description, null, cancellationToken).ConfigureAwait(false);
        await using (output.ConfigureAwait(false))
        {
            using var reader = new StreamReader(output, Encoding.UTF8);
            stdout = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            stderr = output.StderrLines;
        }

        var exitCode = await WaitForExitCodeAsync(execId, description, cancellationToken).ConfigureAwait(false);
        return new ExecResult(exitCode, stdout, string.Join('\n', stderr));
    }

    /// <summary>
    /// The output ends when the process closes it, which can be a moment before the engine has
    /// recorded the exit: poll briefly rather than read a stale "running".
    /// </summary>
    private async Task<int> WaitForExitCodeAsync(string execId, string description, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ExitCodeWait;
        while (true)
        {
            var inspection = await InspectAsync(execId, cancellationToken).ConfigureAwait(false);
            if (!inspection.Running && inspection.ExitCode is { } exitCode)
            {
                return exitCode;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new BuildxException(ErrorIds.ExecFailed, BuildxErrorKind.OperationTimeout, $"The {description} closed its output but did not exit within {ExitCodeWait.TotalSeconds:0} s.", description);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record ExecSpec(
        [property: JsonPropertyName("AttachStdin")] bool AttachStdin,
        [property: JsonPropertyName("AttachStdout")] bool AttachStdout,
        [property: JsonPropertyName("AttachStderr")] bool AttachStderr,
        [property: JsonPropertyName("Tty")] bool Tty,
        [property: JsonPropertyName("Cmd")] IReadOnlyList<string> Cmd);

    private sealed record CreatedExec([property: JsonPropertyName("Id")] string Id);
}
