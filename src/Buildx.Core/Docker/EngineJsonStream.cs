using System.Text;
using System.Text.Json;

namespace Buildx.Core.Docker;

/// <summary>
/// The engine's JSON-lines answers (pull, push, load): one object a line, a failure as an
/// <c>error</c> field inside a 200 answer. Reads to the end, handing each message on.
/// </summary>
internal static class EngineJsonStream
{
    /// <param name="fail">Turns the engine's <c>error</c> text into the exception to throw.</param>
    public static async Task ReadAsync(HttpResponseMessage response, Func<string, Exception> fail, Action<JsonElement> onMessage, CancellationToken cancellationToken)
    {
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
                throw fail(error.GetString() ?? "unknown error");
            }

            onMessage(root);
        }
    }

    /// <summary>Reports each distinct <c>status</c> once: per-layer progress bars would flood the caller.</summary>
    public static Action<JsonElement> DistinctStatus(IProgress<string>? progress)
    {
        string? lastStatus = null;
        return root =>
        {
            if (root.TryGetProperty("status", out var status) && status.GetString() is { } text && text != lastStatus)
            {
                lastStatus = text;
                progress?.Report(root.TryGetProperty("id", out var id) ? $"{id.GetString()}: {text}" : text);
            }
        };
    }
}
