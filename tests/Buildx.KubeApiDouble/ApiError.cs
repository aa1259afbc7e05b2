using System.Text.Json.Nodes;

namespace Buildx.KubeApiDouble;

/// <summary>An API failure, answered as a <c>Status</c> object with the real reason and code.</summary>
public sealed class ApiError(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public static ApiError NotFound(ResourceKind kind, string name) =>
        new(404, "NotFound", $"{kind.QualifiedName} \"{name}\" not found", Details(kind, name));

    public static ApiError AlreadyExists(ResourceKind kind, string name) =>
        new(409, "AlreadyExists", $"{kind.QualifiedName} \"{name}\" already exists", Details(kind, name));

    public static ApiError BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>422: the object is well-formed JSON but fails validation, as field errors.</summary>
    public static ApiError Invalid(ResourceKind kind, string name, params string[] fieldErrors) =>
        new(422, "Invalid", $"{kind.Kind}{(kind.Group.Length > 0 ? "." + kind.Group : string.Empty)} \"{name}\" is invalid: {string.Join(", ", fieldErrors)}", Details(kind, name));

    public JsonObject ToStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = Reason,
        ["details"] = details?.DeepClone(),
        ["code"] = Code,
    };

    private static JsonObject Details(ResourceKind kind, string name) => new()
    {
        ["name"] = name,
        ["group"] = kind.Group.Length > 0 ? kind.Group : null,
        ["kind"] = kind.Plural,
    };
}
