using Buildx.Core.BuildKit;
using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;
using Grpc.Core;

namespace Buildx.Core.Builds;

/// <summary>
/// Turns a failed Solve into an error a user can act on: BuildKit's message, the step that
/// failed, and the last lines that step printed.
/// </summary>
internal static class BuildFailureTranslator
{
    public static Exception Translate(RpcException exception, BuildStatusTracker tracker, BuildkitClient client, Exception? sessionError)
    {
        if (exception.StatusCode == StatusCode.Unavailable)
        {
            return client.Translate("Solve", exception);
        }

        var detail = exception.Status.Detail;
        if ((CacheBackendRefusal.TryTranslate(detail, exception) ?? BaseImageResolveFailure.TryTranslate(detail, exception)) is { } known)
        {
            return known;
        }

        var failed = tracker.FailedStep;
        if (RegistryRefusal(detail) is { } refusal)
        {
            return refusal;
        }

        var isDefinitionError = detail.Contains("failed to create LLB definition", StringComparison.Ordinal)
            || detail.Contains("dockerfile parse error", StringComparison.OrdinalIgnoreCase)
            || detail.Contains("failed to parse dockerfile", StringComparison.OrdinalIgnoreCase);
        var message = new System.Text.StringBuilder();
        if (isDefinitionError)
        {
            message.Append("The Dockerfile is not valid: ").Append(detail);
        }
        else if (failed is not null)
        {
            message.Append("The build failed at step '").Append(failed.Name).Append("': ").Append(detail);
            var tail = tracker.LogTail(failed.Digest);
            if (tail.Count > 0)
            {
                message.AppendLine().Append("Last output of the step:").AppendLine();
                message.AppendJoin(Environment.NewLine, tail.Select(line => "  " + line));
            }
        }
        else
        {
            message.Append("The build failed: ").Append(detail);
        }

        if (sessionError is not null)
        {
            // The daemon's view ("no local sources enabled") hides the real cause: our session ended.
            message.AppendLine().Append("The build session failed: ").Append(sessionError.Message);
        }

        return new BuildxException(
            isDefinitionError ? ErrorIds.DockerfileInvalid : ErrorIds.BuildFailed,
            isDefinitionError ? BuildxErrorKind.InvalidArgument : BuildxErrorKind.InvalidOperation,
            message.ToString(),
            failed?.Name,
            exception);
    }

    /// <summary>
    /// A registry that refused BuildKit (a pull or a push without a valid login) is not a Dockerfile
    /// or step problem: say so, and say where logins come from.
    /// </summary>
    private static BuildxException? RegistryRefusal(string detail)
    {
        var unauthorized = detail.Contains("401 Unauthorized", StringComparison.OrdinalIgnoreCase)
            || detail.Contains("403 Forbidden", StringComparison.OrdinalIgnoreCase)
            || detail.Contains("no basic auth credentials", StringComparison.OrdinalIgnoreCase)
            || detail.Contains("authorization failed", StringComparison.OrdinalIgnoreCase)
            || detail.Contains("insufficient_scope", StringComparison.OrdinalIgnoreCase);
        if (!unauthorized)
        {
            return null;
        }

        return new BuildxException(
            ErrorIds.RegistryUnauthorized,
            BuildxErrorKind.PermissionDenied,
            $"A registry refused the build's credentials: {detail}. Give a login with -Credential @{{ '<registry>' = (Get-Credential) }}, or add it to $DOCKER_CONFIG/config.json (auths, credsStore or credHelpers).",
            null);
    }
}
