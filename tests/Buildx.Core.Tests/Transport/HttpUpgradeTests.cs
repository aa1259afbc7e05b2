using System.Text;
using Buildx.Core.Transport;

namespace Buildx.Core.Tests.Transport;

public class HttpUpgradeTests
{
    [Fact]
    public async Task Leaves_the_bytes_after_the_head_in_the_stream()
    {
        var answer = "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nPRI * HTTP/2.0";
        using var stream = new DuplexMemoryStream(Encoding.ASCII.GetBytes(answer));

        var response = await HttpUpgrade.SendAsync(stream, "/grpc", "h2c", [new("X-Test", "1")], CancellationToken.None);

        Assert.Equal(101, response.StatusCode);
        Assert.Equal("h2c", response.Headers["upgrade"]);
        var rest = new byte[64];
        var read = await stream.ReadAsync(rest);
        Assert.Equal("PRI * HTTP/2.0", Encoding.ASCII.GetString(rest, 0, read));
        var request = Encoding.ASCII.GetString(stream.Written.ToArray());
        Assert.StartsWith("POST /grpc HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains("Upgrade: h2c\r\n", request, StringComparison.Ordinal);
        Assert.Contains("X-Test: 1\r\n", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Returns_a_refusal_with_its_body()
    {
        var answer = "HTTP/1.1 404 Not Found\r\nContent-Length: 18\r\n\r\npage not found\r\n\r\n";
        using var stream = new DuplexMemoryStream(Encoding.ASCII.GetBytes(answer));

        var response = await HttpUpgrade.SendAsync(stream, "/grpc", "h2c", null, CancellationToken.None);

        Assert.Equal(404, response.StatusCode);
        Assert.Equal("page not found", response.Body);
    }

    [Fact]
    public async Task A_peer_that_is_not_http_is_an_io_error()
    {
        using var stream = new DuplexMemoryStream(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH\r\n\r\n"));

        await Assert.ThrowsAsync<IOException>(() => HttpUpgrade.SendAsync(stream, "/grpc", "h2c", null, CancellationToken.None));
    }

    [Fact]
    public async Task A_connection_closed_mid_head_is_an_io_error()
    {
        using var stream = new DuplexMemoryStream(Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching"));

        await Assert.ThrowsAsync<IOException>(() => HttpUpgrade.SendAsync(stream, "/grpc", "h2c", null, CancellationToken.None));
    }

    /// <summary>Reads from a fixed answer and records what was written.</summary>
    private sealed class DuplexMemoryStream(byte[] toRead) : Stream
    {
        private readonly MemoryStream reader = new(toRead);

        public MemoryStream Written { get; } = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => reader.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    }
}
