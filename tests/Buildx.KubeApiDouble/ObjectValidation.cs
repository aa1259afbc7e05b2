using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Buildx.KubeApiDouble;

/// <summary>
/// The checks a real API server makes on the shapes the driver sends, with its messages: wrong
/// apiVersion or kind, missing names, selectors that do not match the template, containers
/// without a name or image, invalid label values.
/// </summary>
internal static partial class ObjectValidation
{
    public static void Validate(ResourceKind kind, string requestNamespace, JsonObject body, string? urlName)
    {
        var apiVersion = (string?)body["apiVersion"];
        var objectKind = (string?)body["kind"];
        if (string.IsNullOrEmpty(objectKind))
        {
            throw ApiError.BadRequest($"Object 'Kind' is missing in '{Shorten(body.ToJsonString())}'");
        }

        if (apiVersion != kind.ApiVersion)
        {
            throw ApiError.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({kind.ApiVersion})");
        }

        if (objectKind != kind.Kind)
        {
            throw ApiError.BadRequest($"the kind in the data ({objectKind}) does not match the expected kind ({kind.Kind})");
        }

        var metadata = body["metadata"] as JsonObject;
        var name = (string?)metadata?["name"];
        if (string.IsNullOrEmpty(name))
        {
            throw ApiError.Invalid(kind, string.Empty, "metadata.name: Required value: name or generateName is required");
        }

        if (urlName is not null && urlName != name)
        {
            throw ApiError.BadRequest($"the name of the object ({name}) does not match the name on the URL ({urlName})");
        }

        if ((string?)metadata!["namespace"] is { Length: > 0 } bodyNamespace && bodyNamespace != requestNamespace)
        {
            throw ApiError.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        var errors = new List<string>();
        if (!Subdomain().IsMatch(name) || name.Length > 253)
        {
            errors.Add($"metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
        }

        CheckLabels(metadata["labels"] as JsonObject, "metadata.labels", errors);
        if (kind == ResourceKind.Deployments || kind == ResourceKind.StatefulSets)
        {
            ValidateWorkload(kind, body, errors);
        }
        else if (kind == ResourceKind.ConfigMaps)
        {
            foreach (var (key, value) in body["data"] as JsonObject ?? [])
            {
                if (!ConfigKey().IsMatch(key))
                {
                    errors.Add($"data[{key}]: Invalid value: \"{key}\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
                }

                if (value is not JsonValue text || text.GetValueKind() != System.Text.Json.JsonValueKind.String)
                {
                    throw ApiError.BadRequest($"ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal into Go struct field ConfigMap.data of type string ({key})");
                }
            }
        }

        if (errors.Count > 0)
        {
            throw ApiError.Invalid(kind, name, [.. errors]);
        }
    }

    private static void ValidateWorkload(ResourceKind kind, JsonObject body, List<string> errors)
    {
        var spec = body["spec"] as JsonObject;
        if (spec is null)
        {
            errors.Add("spec.template.spec.containers: Required value");
            return;
        }

        if (spec["replicas"] is JsonValue replicas && replicas.ToJsonString().StartsWith('-'))
        {
            errors.Add($"spec.replicas: Invalid value: {replicas.ToJsonString()}: must be greater than or equal to 0");
        }

        var matchLabels = spec["selector"]?["matchLabels"] as JsonObject;
        if (matchLabels is null || matchLabels.Count == 0)
        {
            errors.Add("spec.selector: Required value");
        }

        var template = spec["template"] as JsonObject;
        var templateLabels = template?["metadata"]?["labels"] as JsonObject;
        CheckLabels(templateLabels, "spec.template.metadata.labels", errors);
        if (matchLabels is not null && matchLabels.Any(pair => (string?)templateLabels?[pair.Key] != (string?)pair.Value))
        {
            errors.Add("spec.template.metadata.labels: Invalid value: map[...]: `selector` does not match template `labels`");
        }

        var podSpec = template?["spec"] as JsonObject;
        var containers = podSpec?["containers"] as JsonArray;
        if (containers is null || containers.Count == 0)
        {
            errors.Add("spec.template.spec.containers: Required value");
        }

        foreach (var (container, index) in (containers ?? []).Select((c, i) => (c, i)))
        {
            if (string.IsNullOrEmpty((string?)container?["name"]))
            {
                errors.Add($"spec.template.spec.containers[{index}].name: Required value");
            }

            if (string.IsNullOrEmpty((string?)container?["image"]))
            {
                errors.Add($"spec.template.spec.containers[{index}].image: Required value");
            }
        }

        foreach (var toleration in podSpec?["tolerations"] as JsonArray ?? [])
        {
            var op = (string?)toleration?["operator"];
            if (op is not null and not "Exists" and not "Equal")
            {
                errors.Add($"spec.template.spec.tolerations.operator: Unsupported value: \"{op}\": supported values: \"Equal\", \"Exists\"");
            }

            if (op == "Exists" && !string.IsNullOrEmpty((string?)toleration?["value"]))
            {
                errors.Add("spec.template.spec.tolerations.operator: Invalid value: \"Exists\": value must be empty when `operator` is 'Exists'");
            }

            if ((string?)toleration?["effect"] is { } effect and not "" and not "NoSchedule" and not "PreferNoSchedule" and not "NoExecute")
            {
                errors.Add($"spec.template.spec.tolerations.effect: Unsupported value: \"{effect}\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"");
            }
        }

        if (kind == ResourceKind.StatefulSets)
        {
            if ((string?)spec["podManagementPolicy"] is { } policy and not "OrderedReady" and not "Parallel")
            {
                errors.Add($"spec.podManagementPolicy: Unsupported value: \"{policy}\": supported values: \"OrderedReady\", \"Parallel\"");
            }

            foreach (var claim in spec["volumeClaimTemplates"] as JsonArray ?? [])
            {
                if (string.IsNullOrEmpty((string?)claim?["metadata"]?["name"]))
                {
                    errors.Add("spec.volumeClaimTemplates.metadata.name: Required value");
                }

                if (claim?["spec"]?["resources"]?["requests"]?["storage"] is null)
                {
                    errors.Add("spec.volumeClaimTemplates.spec.resources[storage]: Required value");
                }
            }
        }
    }

    private static void CheckLabels(JsonObject? labels, string field, List<string> errors)
    {
        foreach (var (key, value) in labels ?? [])
        {
            var text = (string?)value ?? string.Empty;
            if (text.Length > 63 || (text.Length > 0 && !LabelValue().IsMatch(text)))
            {
                errors.Add($"{field}: Invalid value: \"{text}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
            }

            var nameOnly = key.Contains('/', StringComparison.Ordinal) ? key[(key.LastIndexOf('/') + 1)..] : key;
            if (nameOnly.Length is 0 or > 63 || !LabelValue().IsMatch(nameOnly))
            {
                errors.Add($"{field}: Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.'");
            }
        }
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "..." : text;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigKey();
}
