namespace Buildx.Core.Transport;

/// <summary>
/// A dialed stream whose read, write and flush failures pass through <see cref="Translate"/>, so a
/// subclass can record them or throw a better explanation instead.
/// </summary>
internal abstract class FailureTranslatingStream(Stream inner) : DelegatingStream(inner)
{
    /// <summary>The exception to throw instead of <paramref name="failure"/>, or null to let it through unchanged.</summary>
    protected abstract Exception? Translate(Exception failure);

    /// <summary>Sees each completed read; returns its count, or throws.</summary>
    protected virtual int AfterRead(Memory<byte> buffer, int read) => read;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }

        return AfterRead(buffer, read);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }
}
