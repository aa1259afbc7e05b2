using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Buildx.Core.Errors;
using Buildx.Core.Registry;

namespace Buildx.Core.Docker;

/// <summary>The image calls of the Engine API: inspect and pull.</summary>
public sealed class DockerImages(DockerEngineClient engine)
{
    /// <summary>The image, or null when the engine does not have it.</summary>
    public async Task<ImageInspection?> InspectAsync(string reference, CancellationToken cancellationToken)
    {
        // Image references keep their '/' and ':' in the path: the engine routes /images/{name:.*}/json.
        using var response = await engine.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"images/{reference}/json"), engine.ConnectTimeout, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await engine.CallFailedAsync(response, "an inspect", Target(reference), reference, cancellationToken).ConfigureAwait(false);
        }

        return await response.Content.ReadFromJsonAsync<ImageInspection>(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pulls the image (<c>POST /images/create?fromImage=</c>) and reports the engine's status
    /// lines. The engine reports most failures inside a 200 answer, as a JSON <c>error</c>.
    /// </summary>
    /// <exception cref="BuildxException"><see cref="ErrorIds.ImagePullFailed"/> with the engine's reason.</exception>
    public async Task PullAsync(string reference, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var (name, tag) = SplitReference(reference);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"images/create?fromImage={Uri.EscapeDataString(name)}&tag={Uri.EscapeDataString(tag)}");
        using var response = await engine.SendAsync(request, null, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw PullFailed(reference, await EngineErrorMessage.ReadAsync(response, cancellationToken).ConfigureAwait(false));
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
        string? lastStatus = null;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var message = JsonDocument.Parse(line);
            var root = message.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                throw PullFailed(reference, error.GetString() ?? "unknown error");
            }

            // Per-layer progress bars would flood the caller: report each distinct status once.
            if (root.TryGetProperty("status", out var status) && status.GetString() is { } text && text != lastStatus)
            {
                lastStatus = text;
                progress?.Report(root.TryGetProperty("id", out var id) ? $"{id.GetString()}: {text}" : text);
            }
        }
    }

    /// <summary>
    /// Pushes an engine image to its registry (<c>POST /images/{name}/push?tag=</c>) with the login in
    /// <c>X-Registry-Auth</c>, as buildx pushes the docker driver's images. Like a pull, the engine
    /// reports most failures inside a 200 answer, as a JSON <c>error</c>.
    /// </summary>
    /// <exception cref="BuildxException"><see cref="ErrorIds.ImagePushFailed"/> with the engine's reason.</exception>
    public async Task PushAsync(string reference, RegistryCredential? credential, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var (name, tag) = SplitReference(reference);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"images/{name}/push?tag={Uri.EscapeDataString(tag)}");
        request.Headers.TryAddWithoutValidation(RegistryAuthHeader.Name, RegistryAuthHeader.Encode(credential, RegistryHost.OfImage(name)));
        using var response = await engine.SendAsync(request, null, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw PushFailed(reference, await EngineErrorMessage.ReadAsync(response, cancellationToken).ConfigureAwait(false));
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
        string? lastStatus = null;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var message = JsonDocument.Parse(line);
            var root = message.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                throw PushFailed(reference, error.GetString() ?? "unknown error");
            }

            if (root.TryGetProperty("status", out var status) && status.GetString() is { } text && text != lastStatus)
            {
                lastStatus = text;
                progress?.Report(root.TryGetProperty("id", out var id) ? $"{id.GetString()}: {text}" : text);
            }
        }
    }

    /// <summary>
    /// Loads a docker-archive tarball into the engine (<c>POST /images/load</c>), as buildx loads
    /// a <c>docker</c> output; returns the engine's "Loaded image" lines.
    /// </summary>
    public async Task<IReadOnlyList<string>> LoadAsync(Stream tarball, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tarball);
        using var request = new HttpRequestMessage(HttpMethod.Post, "images/load?quiet=1") { Content = new StreamContent(tarball) };
        request.Content.Headers.ContentType = new("application/x-tar");
        using var response = await engine.SendAsync(request, null, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await engine.CallFailedAsync(response, "an image load", "the build's docker output", "images/load", cancellationToken).ConfigureAwait(false);
        }

        var loaded = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var message = JsonDocument.Parse(line);
            var root = message.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                throw engine.CallFailed(200, "OK", error.GetString() ?? "unknown error", "an image load", "the build's docker output", "images/load");
            }

            if (root.TryGetProperty("stream", out var text) && text.GetString()?.Trim() is { Length: > 0 } status)
            {
                loaded.Add(status);
            }
        }

        return loaded;
    }

    /// <summary>
    /// Splits a reference into the API's <c>fromImage</c> and <c>tag</c> (a tag or a digest),
    /// as docker's client does: a name alone means <c>latest</c>.
    /// </summary>
    internal static (string Name, string Tag) SplitReference(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return (reference[..at], reference[(at + 1)..]);
        }

        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
    }

    private BuildxException PullFailed(string reference, string reason) => new(
        ErrorIds.ImagePullFailed,
        BuildxErrorKind.ResourceUnavailable,
        $"The Docker engine at {engine.Context.Host} could not pull the image '{reference}': {reason}",
        reference);

    private BuildxException PushFailed(string reference, string reason) => new(
        ErrorIds.ImagePushFailed,
        reason.Contains("unauthorized", StringComparison.OrdinalIgnoreCase) || reason.Contains("authentication required", StringComparison.OrdinalIgnoreCase)
            || reason.Contains("no basic auth credentials", StringComparison.OrdinalIgnoreCase) || reason.Contains("denied", StringComparison.OrdinalIgnoreCase)
            ? BuildxErrorKind.PermissionDenied
            : BuildxErrorKind.ResourceUnavailable,
        $"The Docker engine at {engine.Context.Host} could not push the image '{reference}': {reason}",
        reference);

    private static string Target(string reference) => $"image '{reference}'";
}
