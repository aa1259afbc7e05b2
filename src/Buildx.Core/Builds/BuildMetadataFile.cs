using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Buildx.Core.Builds;

/// <summary>
/// Writes <c>--metadata-file</c> as buildx does: the exporter response, with base64 values that
/// hold JSON objects (such as <c>containerimage.descriptor</c>) embedded as JSON.
/// </summary>
public static class BuildMetadataFile
{
    public static void Write(string path, BuildResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var document = new JsonObject();
        foreach (var (key, value) in result.ExporterResponse.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            document[key] = Decode(value);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(temp, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
    }

    private static JsonNode? Decode(string value)
    {
        var buffer = new byte[value.Length];
        if (value.Length > 0 && Convert.TryFromBase64String(value, buffer, out var written))
        {
            var text = Encoding.UTF8.GetString(buffer, 0, written).Trim();
            if (text.StartsWith('{') || text.StartsWith('['))
            {
                try
                {
                    return JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    // Not JSON after all: keep the value as it came.
                }
            }
        }

        return JsonValue.Create(value);
    }
}
