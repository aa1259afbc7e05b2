namespace Buildx.Core.Tests.Session.Support;

/// <summary>One end of an in-memory duplex connection: reads one pipe, writes the other. Disposing ends its output.</summary>
internal sealed class DuplexPipeStream(BytePipe input, BytePipe output) : Stream
{
    public BytePipe Input { get; } = input;

    public BytePipe Output { get; } = output;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Two connected ends.</summary>
    public static (DuplexPipeStream Client, DuplexPipeStream Server) CreatePair()
    {
        var toServer = new BytePipe();
        var toClient = new BytePipe();
        return (new DuplexPipeStream(toClient, toServer), new DuplexPipeStream(toServer, toClient));
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Output.WriteDelay > TimeSpan.Zero)
        {
            await Task.Delay(Output.WriteDelay, cancellationToken);
        }

        Output.Write(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (Output.WriteDelay > TimeSpan.Zero)
        {
            Thread.Sleep(Output.WriteDelay);
        }

        Output.Write(buffer.AsSpan(offset, count));
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Output.Complete();
        }

        base.Dispose(disposing);
    }
}
