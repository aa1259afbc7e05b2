using Buildx.Core.BuildKit.Protocol.Content;
using Buildx.Core.Session.Grpc;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Buildx.Core.Session.Content;

/// <summary>
/// One <c>Content/Write</c> stream, answered as containerd's content server answers it: the first
/// message names the ref (and may give total and expected digest); every message is answered with
/// the ingest's offset; STAT also reports digest-so-far, total and times; WRITE must come at the
/// current offset (offset 0 starts over); COMMIT verifies size and digest and ends the call.
/// </summary>
internal static class ContentWriteCall
{
    public static async Task RunAsync(IGrpcRawCall call, Func<GrpcCallContext, LayoutContentStore> choose)
    {
        var cancel = call.Context.CallCancelled;
        var request = await ReadAsync(call, cancel).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        if (string.IsNullOrEmpty(request.Ref))
        {
            throw new GrpcStatusException(StatusCode.InvalidArgument, "first message must have a reference");
        }

        var store = choose(call.Context);
        var total = request.Total;
        ContentDigest? expected = string.IsNullOrEmpty(request.Expected) ? null : ContentDigest.Parse(request.Expected);
        var ingest = store.OpenIngest(request.Ref, total, expected);
        try
        {
            while (true)
            {
                var response = new WriteContentResponse { Action = request.Action, Offset = ingest.Offset };
                if (!string.IsNullOrEmpty(request.Expected))
                {
                    expected = ContentDigest.Parse(request.Expected);
                    if (store.FindBlob(expected.Value) is not null)
                    {
                        // containerd drops the ingest when the blob turns out to be there already.
                        store.Release(ingest);
                        TryAbort(store, ingest.Reference);
                        throw new GrpcStatusException(StatusCode.AlreadyExists, $"blob with expected digest {request.Expected} exists");
                    }
                }

                if (request.Total > 0)
                {
                    total = request.Total;
                    ingest.SetTotal(total);
                }

                switch (request.Action)
                {
                    case WriteAction.Stat:
                        response.Digest = ingest.Digest;
                        response.StartedAt = Timestamp.FromDateTime(ingest.StartedAt);
                        response.UpdatedAt = Timestamp.FromDateTime(ingest.UpdatedAt);
                        response.Total = total;
                        break;
                    case WriteAction.Write or WriteAction.Commit:
                        if (request.Offset > 0 && request.Offset != ingest.Offset)
                        {
                            throw new GrpcStatusException(StatusCode.OutOfRange, $"write @{request.Offset} must occur at current offset {ingest.Offset}");
                        }

                        if (request.Offset == 0 && ingest.Offset > 0)
                        {
                            ingest.Truncate();
                            response.Offset = 0;
                        }

                        if (!request.Data.IsEmpty)
                        {
                            ingest.Write(request.Data.Span);
                            response.Offset += request.Data.Length;
                        }

                        response.Digest = request.Action == WriteAction.Commit
                            ? store.Commit(ingest, total, expected)
                            : ingest.Digest;
                        break;
                    default:
                        throw new GrpcStatusException(StatusCode.InvalidArgument, $"unknown write action {request.Action}");
                }

                await call.WriteMessageAsync(response, cancel).ConfigureAwait(false);
                if (request.Action == WriteAction.Commit)
                {
                    return;
                }

                request = await ReadAsync(call, cancel).ConfigureAwait(false);
                if (request is null)
                {
                    return;
                }
            }
        }
        finally
        {
            store.Release(ingest);
        }
    }

    private static async Task<WriteContentRequest?> ReadAsync(IGrpcRawCall call, CancellationToken cancellationToken)
    {
        var bytes = await call.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        return bytes is { } message ? WriteContentRequest.Parser.ParseFrom(message.Span) : null;
    }

    private static void TryAbort(LayoutContentStore store, string reference)
    {
        try
        {
            store.Abort(reference);
        }
        catch (GrpcStatusException)
        {
            // Nothing was ingested under that ref.
        }
    }
}
