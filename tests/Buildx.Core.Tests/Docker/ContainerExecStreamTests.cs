using System.Buffers.Binary;
using System.Text;
using Buildx.Core.Docker;

namespace Buildx.Core.Tests.Docker;

/// <summary>Demultiplexing docker's exec/log output frames, without an engine.</summary>
public class ContainerExecStreamTests
{
    [Fact]
    public async Task Reads_return_stdout_and_stderr_goes_to_the_callback_by_line()
    {
        var lines = new List<string>();
        using var stream = new MultiplexedStream(Frames((1, "hel"), (2, "warn: one\nwarn: t"), (1, "lo "), (2, "wo\r\n"), (1, "world")), "test", lines.Add);

        var text = await new StreamReader(stream).ReadToEndAsync();

        Assert.Equal("hello world", text);
        Assert.Equal(["warn: one", "warn: two"], lines);
        Assert.Equal(["warn: one", "warn: two"], stream.StderrLines);
        Assert.True(stream.ReceivedStdout);
    }

    [Fact]
    public async Task A_large_frame_is_returned_across_small_reads()
    {
        var payload = new string('x', 10_000);
        using var stream = new MultiplexedStream(Frames((1, payload)), "test");
        var buffer = new byte[7];
        var total = new StringBuilder();

        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            Assert.InRange(read, 1, 7);
            total.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.Equal(payload, total.ToString());
    }

    [Fact]
    public async Task Headers_split_across_reads_are_reassembled()
    {
        using var stream = new MultiplexedStream(new TrickleStream(Frames((2, "e\n"), (1, "ok"))), "test");

        Assert.Equal("ok", await new StreamReader(stream).ReadToEndAsync());
        Assert.Equal(["e"], stream.StderrLines);
    }

    [Fact]
    public async Task An_end_in_the_middle_of_a_frame_is_an_error_naming_the_stream()
    {
        var frames = Frames((1, "abcdef")).ToArray();
        using var stream = new MultiplexedStream(new MemoryStream(frames[..10]), "exec of 'x' in container 'c'");

        var error = await Assert.ThrowsAsync<IOException>(() => new StreamReader(stream).ReadToEndAsync());

        Assert.Contains("exec of 'x' in container 'c'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_end_without_stdout_can_raise_the_error_stderr_explains()
    {
        using var stream = new MultiplexedStream(Frames((2, "connect /nope: No such file or directory\n")), "test")
        {
            ErrorWhenEndedWithoutOutput = stderr => new InvalidOperationException("dial failed: " + string.Join(" / ", stderr)),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new StreamReader(stream).ReadToEndAsync());

        Assert.Equal("dial failed: connect /nope: No such file or directory", error.Message);
    }

    [Fact]
    public async Task An_end_after_stdout_is_a_clean_end_of_stream()
    {
        using var stream = new MultiplexedStream(Frames((1, "x")), "test") { ErrorWhenEndedWithoutOutput = _ => new InvalidOperationException() };

        Assert.Equal("x", await new StreamReader(stream).ReadToEndAsync());
        Assert.Equal(0, await stream.ReadAsync(new byte[1]));
    }

    [Fact]
    public async Task Writes_pass_through_unframed()
    {
        var inner = new MemoryStream();
        using var stream = new MultiplexedStream(inner, "test");

        await stream.WriteAsync(Encoding.ASCII.GetBytes("stdin bytes"));

        Assert.Equal("stdin bytes", Encoding.ASCII.GetString(inner.ToArray()));
        Assert.False(stream.CloseWrite());
    }

    private static MemoryStream Frames(params (byte Stream, string Text)[] frames)
    {
        var output = new MemoryStream();
        foreach (var (kind, text) in frames)
        {
            var payload = Encoding.UTF8.GetBytes(text);
            var header = new byte[8];
            header[0] = kind;
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)payload.Length);
            output.Write(header);
            output.Write(payload);
        }

        output.Position = 0;
        return output;
    }

    /// <summary>Returns at most 3 bytes per read, so headers arrive in pieces.</summary>
    private sealed class TrickleStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 3));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => inner.ReadAsync(buffer[..Math.Min(buffer.Length, 3)], cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
