using System.Text.Json;

namespace Buildx.Core.Registry;

/// <summary>Reads the distribution spec's error body (<c>{"errors":[{"code","message"}]}</c>) for messages.</summary>
internal static class RegistryErrorMessage
{
    public static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return status;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                var messages = errors.EnumerateArray()
                    .Select(e => $"{Text(e, "code")}: {Text(e, "message")}".Trim(' ', ':'))
                    .Where(m => m.Length > 0)
                    .ToList();
                if (messages.Count > 0)
                {
                    return string.Join("; ", messages);
                }
            }
        }
        catch (JsonException)
        {
        }

        return body.Length is > 0 and < 300 ? $"{status}: {body.Trim()}" : status;
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : string.Empty;
}
