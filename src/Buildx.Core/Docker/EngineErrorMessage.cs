using System.Text.Json;

namespace Buildx.Core.Docker;

/// <summary>Reads the message out of an Engine API error answer (<c>{"message":"..."}</c>).</summary>
internal static class EngineErrorMessage
{
    private const int MaxLength = 4096;

    public static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return FromBody(body);
    }

    public static string FromBody(string body)
    {
        var text = body.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    text = message.GetString() ?? string.Empty;
                }
            }
            catch (JsonException)
            {
                // Not the engine's JSON shape: show the body as it came.
            }
        }

        return text.Length > MaxLength ? text[..MaxLength] + "…" : text;
    }
}
