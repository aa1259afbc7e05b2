using System.Net;
using System.Net.Http.Json;

namespace Buildx.Core.Docker;

/// <summary>The volume calls of the Engine API.</summary>
public sealed class DockerVolumes(DockerEngineClient engine)
{
    /// <summary>The volume, or null when there is none by that name.</summary>
    public async Task<VolumeInspection?> InspectAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await engine.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"volumes/{Uri.EscapeDataString(name)}"), engine.ConnectTimeout, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await engine.CallFailedAsync(response, "an inspect", Target(name), name, cancellationToken).ConfigureAwait(false);
        }

        return await response.Content.ReadFromJsonAsync<VolumeInspection>(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the volume; returns false when there was none. A volume still in use is an error.</summary>
    public async Task<bool> RemoveAsync(string name, bool force, CancellationToken cancellationToken)
    {
        using var response = await engine.SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, $"volumes/{Uri.EscapeDataString(name)}{(force ? "?force=1" : string.Empty)}"),
            null,
            HttpCompletionOption.ResponseContentRead,
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await engine.CallFailedAsync(response, "the removal", Target(name), name, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private static string Target(string name) => $"volume '{name}'";
}
