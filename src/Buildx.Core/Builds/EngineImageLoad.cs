using System.IO.Pipes;
using Buildx.Core.Docker;
using Buildx.Core.Session.FileSend;

namespace Buildx.Core.Builds;

/// <summary>
/// A <c>docker</c> output without dest on a non-docker driver: the daemon's docker-archive stream is
/// piped straight into the engine's <c>POST /images/load</c>, as buildx does ("importing to docker").
/// </summary>
public sealed class EngineImageLoad : IDisposable
{
    private readonly DockerEngineClient engine;
    private readonly CancellationToken cancellationToken;
    private Task<IReadOnlyList<string>>? load;

    public EngineImageLoad(DockerEngineClient engine, CancellationToken cancellationToken)
    {
        this.engine = engine;
        this.cancellationToken = cancellationToken;
        Target = new StreamExportTarget(_ => Open());
    }

    /// <summary>The FileSend target that feeds the load.</summary>
    public StreamExportTarget Target { get; }

    /// <summary>Waits for the engine to finish loading; the engine's "Loaded image" lines, or none if nothing was sent.</summary>
    public async Task<IReadOnlyList<string>> CompleteAsync() => load is null ? [] : await load.ConfigureAwait(false);

    public void Dispose() => engine.Dispose();

    private async Task<IReadOnlyList<string>> LoadAsync(Stream reader)
    {
        await using (reader.ConfigureAwait(false))
        {
            return await new DockerImages(engine).LoadAsync(reader, cancellationToken).ConfigureAwait(false);
        }
    }

    private AnonymousPipeServerStream Open()
    {
        // An OS pipe gives back-pressure: the daemon's stream is never held in memory.
        var writer = new AnonymousPipeServerStream(PipeDirection.Out);
        var reader = new AnonymousPipeClientStream(PipeDirection.In, writer.ClientSafePipeHandle);
        load = LoadAsync(reader);
        // The target disposes this stream at the end of the export, which ends the upload.
        return writer;
    }
}
