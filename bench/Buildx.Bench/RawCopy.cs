using System.Diagnostics;
using System.Net.Sockets;

namespace Buildx.Bench;

/// <summary>
/// The yardstick: the time to push the same number of bytes through a loopback unix socket,
/// measured in the same run on the same machine.
/// </summary>
internal static class RawCopy
{
    public static TimeSpan Measure(long bytes, int chunkSize = 256 * 1024)
    {
        var path = Path.Combine(Path.GetTempPath(), $"buildx-bench-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        try
        {
            var reader = Task.Run(() =>
            {
                using var peer = listener.Accept();
                var buffer = new byte[chunkSize];
                long total = 0;
                int read;
                while ((read = peer.Receive(buffer)) > 0)
                {
                    total += read;
                }

                return total;
            });
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(new UnixDomainSocketEndPoint(path));
            var data = new byte[chunkSize];
            Random.Shared.NextBytes(data);
            var clock = Stopwatch.StartNew();
            for (long sent = 0; sent < bytes; sent += chunkSize)
            {
                var count = (int)Math.Min(chunkSize, bytes - sent);
                client.Send(data.AsSpan(0, count));
            }

            client.Shutdown(SocketShutdown.Send);
            reader.Wait();
            return clock.Elapsed;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
