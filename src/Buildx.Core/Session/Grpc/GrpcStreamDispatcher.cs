using Buildx.Core.Session.Http2;
using Grpc.Core;

namespace Buildx.Core.Session.Grpc;

/// <summary>
/// Turns an HTTP/2 request stream into a gRPC call: checks it is gRPC, finds the method, runs the
/// handler, and maps how the handler ended to the call's status.
/// </summary>
internal static class GrpcStreamDispatcher
{
    public static async Task ServeAsync(Http2Stream stream, GrpcServiceRegistry registry)
    {
        string? method = null;
        string? path = null;
        string? contentType = null;
        string? encoding = null;
        string? timeout = null;
        var metadata = new List<KeyValuePair<string, string>>(stream.RequestHeaders.Count);
        foreach (var field in stream.RequestHeaders)
        {
            switch (field.Key)
            {
                case ":method":
                    method = field.Value;
                    continue;
                case ":path":
                    path = field.Value;
                    continue;
                case "content-type":
                    contentType = field.Value;
                    break;
                case "grpc-encoding":
                    encoding = field.Value;
                    break;
                case "grpc-timeout":
                    timeout = field.Value;
                    break;
            }

            if (!field.Key.StartsWith(':'))
            {
                metadata.Add(field);
            }
        }

        if (method != "POST")
        {
            await RefuseAsync(stream, 405, StatusCode.Internal, $"grpc: method {method} not allowed; gRPC requires POST").ConfigureAwait(false);
            return;
        }

        if (contentType is null || !IsGrpcContentType(contentType))
        {
            await RefuseAsync(stream, 415, StatusCode.Internal, $"grpc: invalid gRPC request content-type \"{contentType}\"").ConfigureAwait(false);
            return;
        }

        if (encoding is not null && encoding != "identity")
        {
            await RefuseAsync(stream, 200, StatusCode.Unimplemented, $"grpc: Decompressor is not installed for grpc-encoding \"{encoding}\"")
                .ConfigureAwait(false);
            return;
        }

        if (path is null || !registry.TryGet(path, out var handler))
        {
            await RefuseAsync(stream, 200, StatusCode.Unimplemented, $"unknown method {path}").ConfigureAwait(false);
            return;
        }

        using var callCancellation = CancellationTokenSource.CreateLinkedTokenSource(stream.Aborted);
        if (GrpcTimeout.Parse(timeout) is { } deadline)
        {
            callCancellation.CancelAfter(deadline);
        }

        using var call = new GrpcServerCall(stream, new GrpcCallContext(path, metadata, callCancellation.Token));
        StatusCode status;
        string? detail;
        try
        {
            await handler(call).ConfigureAwait(false);
            status = StatusCode.OK;
            detail = null;
        }
        catch (GrpcStatusException error)
        {
            status = error.StatusCode;
            detail = error.Detail;
        }
#pragma warning disable CA1031 // Every handler failure becomes the call's status, as a gRPC server does.
        catch (Exception) when (stream.IsAborted)
        {
            // Reset by the peer, or the connection is gone: there is nobody to send a status to.
            return;
        }
        catch (OperationCanceledException) when (callCancellation.IsCancellationRequested)
        {
            status = StatusCode.DeadlineExceeded;
            detail = "the call's deadline passed";
        }
        catch (OperationCanceledException error)
        {
            status = StatusCode.Cancelled;
            detail = error.Message;
        }
        catch (Exception error)
        {
            status = StatusCode.Unknown;
            detail = error.Message;
        }
#pragma warning restore CA1031

        try
        {
            await call.FinishAsync(status, detail).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
            // The stream or the connection ended meanwhile.
        }
    }

    /// <summary>application/grpc, optionally followed by +proto or ;params.</summary>
    private static bool IsGrpcContentType(string contentType) =>
        contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == 16 || contentType[16] is '+' or ';');

    private static async Task RefuseAsync(Http2Stream stream, int httpStatus, StatusCode status, string detail)
    {
        try
        {
            await GrpcServerCall.SendStatusAsync(stream, status, detail, headersSent: false, CancellationToken.None, httpStatus)
                .ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
        }
    }
}
