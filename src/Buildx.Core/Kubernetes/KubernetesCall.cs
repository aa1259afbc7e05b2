using System.Net;
using Buildx.Core.Errors;
using k8s.Autorest;

namespace Buildx.Core.Kubernetes;

/// <summary>Runs API calls and turns their failures into BuildxExceptions that quote the API server.</summary>
internal static class KubernetesCall
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, string what, string target)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (HttpOperationException ex)
        {
            throw Failed(what, target, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new BuildxException(ErrorIds.KubernetesApiFailed, BuildxErrorKind.ConnectionError, $"Cannot reach the Kubernetes API server to {what}: {ex.Message}", target, ex);
        }
    }

    /// <summary>The call's result, or null when the API server answers 404.</summary>
    public static async Task<T?> RunOrNullAsync<T>(Func<Task<T>> call, string what, string target)
        where T : class
    {
        try
        {
            return await RunAsync(call, what, target).ConfigureAwait(false);
        }
        catch (BuildxException ex) when (ex.InnerException is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound })
        {
            return null;
        }
    }

    public static bool Is(BuildxException error, HttpStatusCode code) =>
        error.InnerException is HttpOperationException http && http.Response?.StatusCode == code;

    private static BuildxException Failed(string what, string target, HttpOperationException ex)
    {
        var code = ex.Response?.StatusCode;
        var kind = code switch
        {
            HttpStatusCode.NotFound => BuildxErrorKind.ObjectNotFound,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => BuildxErrorKind.PermissionDenied,
            HttpStatusCode.Conflict => BuildxErrorKind.InvalidOperation,
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => BuildxErrorKind.InvalidArgument,
            _ => BuildxErrorKind.ProtocolError,
        };
        var message = StatusMessage(ex.Response?.Content) ?? ex.Message;
        return new BuildxException(ErrorIds.KubernetesApiFailed, kind, $"The Kubernetes API server refused to {what} ({(int?)code} {code}): {message}", target, ex);
    }

    private static string? StatusMessage(string? content)
    {
        if (string.IsNullOrEmpty(content))
        {
            return null;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(content);
            return document.RootElement.TryGetProperty("message", out var message) ? message.GetString() : content;
        }
        catch (System.Text.Json.JsonException)
        {
            return content;
        }
    }
}
