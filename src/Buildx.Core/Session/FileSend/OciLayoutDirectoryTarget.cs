using Buildx.Core.Errors;
using Buildx.Core.Exports;
using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.FileSend;

/// <summary>
/// An <c>oci</c> or <c>docker</c> export with <c>tar=false</c>: an OCI image layout directory.
/// The daemon is asked for the tarball (which every BuildKit can stream through FileSend) and the
/// client unpacks it, checking every entry and blob digest, into the directory, which appears
/// only once complete. BuildKit itself would write the directory through a content-store session
/// service; the layout on disk is the same.
/// </summary>
public sealed class OciLayoutDirectoryTarget(string path) : ExportTarget
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    internal override async Task<ExportWriteSummary> ReceiveAsync(IGrpcRawCall call, FileSendMetadata metadata, CancellationToken cancellationToken)
    {
        var tarball = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"buildx-oci-layout-{Guid.NewGuid():N}.tar");
        try
        {
            var received = await new FileExportTarget(tarball).ReceiveAsync(call, metadata, cancellationToken).ConfigureAwait(false);
            try
            {
                await OciLayoutMerger.UnpackAsync(tarball, OciLayoutDestination.Directory(Path), cancellationToken).ConfigureAwait(false);
            }
            catch (BuildxException e)
            {
                throw new GrpcStatusException(StatusCode.InvalidArgument, e.Message);
            }
            catch (IOException e)
            {
                throw FileSendErrors.WriteFailed($"the OCI layout {Path}", e);
            }

            return received with { WrittenPath = Path };
        }
        finally
        {
            File.Delete(tarball);
        }
    }
}
