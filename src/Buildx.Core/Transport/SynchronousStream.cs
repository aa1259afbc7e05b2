namespace Buildx.Core.Transport;

/// <summary>
/// Runs a stream's asynchronous calls as its synchronous ones, completing before they return: for
/// async code (the HTTP upgrade) over a socket that must never be used asynchronously, because .NET
/// then registers it with the socket engine for good (see <see cref="PolledSocketStream"/>).
/// </summary>
internal sealed class SynchronousStream(Stream inner) : DelegatingStream(inner)
{
    public override int Read(byte[] buffer, int offset, int count) => Inner.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Inner.Read(buffer.Span));
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Inner.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Inner.Flush();
        return Task.CompletedTask;
    }
}
