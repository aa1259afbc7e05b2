using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using Buildx.Core.Errors;

namespace Buildx.Core.Docker;

/// <summary>The container calls of the Engine API: inspect, create, start, stop, remove, copy in, logs.</summary>
public sealed class DockerContainers(DockerEngineClient engine)
{
    /// <summary>The container, or null when there is none by that name.</summary>
    public async Task<ContainerInspection?> InspectAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"containers/{Escape(name)}/json", null, engine.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, "an inspect", name, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<ContainerInspection>(cancellationToken).ConfigureAwait(false)
            ?? throw engine.CallFailed((int)response.StatusCode, response.ReasonPhrase, "empty answer", "an inspect", ContainerTarget(name), name);
    }

    /// <summary>Creates the container; returns its id.</summary>
    /// <exception cref="BuildxException"><see cref="ErrorIds.ContainerNameConflict"/> when the name is taken; <see cref="ErrorIds.ImageNotFound"/> when the image is not in the engine.</exception>
    public async Task<string> CreateAsync(string name, ContainerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var content = JsonContent.Create(spec, options: EngineJson.Options);
        using var response = await SendAsync(HttpMethod.Post, $"containers/create?name={Escape(name)}", content, engine.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.Conflict:
                throw new BuildxException(
                    ErrorIds.ContainerNameConflict,
                    BuildxErrorKind.InvalidOperation,
                    $"A container named '{name}' already exists on the Docker engine at {engine.Context.Host}: {await EngineErrorMessage.ReadAsync(response, cancellationToken).ConfigureAwait(false)}",
                    name);
            case HttpStatusCode.NotFound:
                throw new BuildxException(
                    ErrorIds.ImageNotFound,
                    BuildxErrorKind.ObjectNotFound,
                    $"Cannot create container '{name}': the image '{spec.Image}' is not present on the Docker engine at {engine.Context.Host} ({await EngineErrorMessage.ReadAsync(response, cancellationToken).ConfigureAwait(false)}).",
                    spec.Image);
        }

        await EnsureSuccessAsync(response, "the create", name, cancellationToken).ConfigureAwait(false);
        var created = await response.Content.ReadFromJsonAsync<CreatedContainer>(cancellationToken).ConfigureAwait(false);
        return created?.Id ?? string.Empty;
    }

    /// <summary>Starts the container; starting a running container is not an error.</summary>
    public async Task StartAsync(string name, CancellationToken cancellationToken)
    {
        // Starting runs the runtime's setup (mounts, cgroups, capabilities): allow longer than a plain call.
        using var response = await SendAsync(HttpMethod.Post, $"containers/{Escape(name)}/start", null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return;
        }

        await EnsureSuccessAsync(response, "the start", name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the container (SIGTERM, then SIGKILL after the grace period); stopping a stopped container is not an error.</summary>
    public async Task StopAsync(string name, TimeSpan? gracePeriod, CancellationToken cancellationToken)
    {
        var query = gracePeriod is { } grace ? $"?t={(int)Math.Ceiling(grace.TotalSeconds)}" : string.Empty;
        using var response = await SendAsync(HttpMethod.Post, $"containers/{Escape(name)}/stop{query}", null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return;
        }

        await EnsureSuccessAsync(response, "the stop", name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes the container. <paramref name="removeAnonymousVolumes"/> is the API's <c>v</c>: it
    /// removes anonymous volumes only; named volumes (such as a builder's state) stay.
    /// </summary>
    public async Task RemoveAsync(string name, bool removeAnonymousVolumes, bool force, CancellationToken cancellationToken)
    {
        var query = $"?v={(removeAnonymousVolumes ? 1 : 0)}&force={(force ? 1 : 0)}";
        using var response = await SendAsync(HttpMethod.Delete, $"containers/{Escape(name)}{query}", null, null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "the removal", name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Extracts a tar archive into a directory of the container (<c>PUT /containers/{name}/archive</c>).</summary>
    public async Task CopyToAsync(string name, string directory, Stream tar, CancellationToken cancellationToken)
    {
        using var content = new StreamContent(tar);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await SendAsync(HttpMethod.Put, $"containers/{Escape(name)}/archive?path={Uri.EscapeDataString(directory)}", content, null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"the copy into {directory}", name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last lines of the container's output, stdout and stderr together (interleaved by frame, not exactly by time).</summary>
    public async Task<IReadOnlyList<string>> ReadLogsAsync(string name, int tail, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"containers/{Escape(name)}/logs?stdout=1&stderr=1&tail={tail}", null, engine.ConnectTimeout, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "reading the logs", name, cancellationToken).ConfigureAwait(false);
        var lines = new List<string>();
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var output = new MultiplexedStream(body, $"log stream of container {name}", lines.Add);
        using var reader = new StreamReader(output, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    internal static string ContainerTarget(string name) => $"container '{name}'";

    private static string Escape(string name) => Uri.EscapeDataString(name);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, TimeSpan? answerTimeout, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
        => engine.SendAsync(new HttpRequestMessage(method, path) { Content = content }, answerTimeout, completion, cancellationToken);

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, string name, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new BuildxException(
                ErrorIds.ContainerNotFound,
                BuildxErrorKind.ObjectNotFound,
                $"There is no container named '{name}' on the Docker engine at {engine.Context.Host} ({what} failed: {await EngineErrorMessage.ReadAsync(response, cancellationToken).ConfigureAwait(false)}).",
                name);
        }

        throw await engine.CallFailedAsync(response, what, ContainerTarget(name), name, cancellationToken).ConfigureAwait(false);
    }

    private sealed record CreatedContainer([property: JsonPropertyName("Id")] string Id);
}
