using Buildx.Core.Session.Grpc;

namespace Buildx.Core.Session.FileSend;

/// <summary>
/// Reads a tarball export (BuildKit's <c>writeTargetFile</c> side): the daemon sends
/// <c>BytesMessage{data}</c> chunks, half-closes, and then waits for the call to end; the end of the
/// request stream is the end of the tarball.
/// </summary>
internal static class ByteStreamMessages
{
    /// <summary>Each chunk's bytes; a chunk is only valid until the next one is requested.</summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(
        IGrpcRawCall call,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await call.ReadMessageAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            var data = FileSendWire.ReadBytesMessage(message);
            if (data.Length > 0)
            {
                yield return data;
            }
        }
    }
}
