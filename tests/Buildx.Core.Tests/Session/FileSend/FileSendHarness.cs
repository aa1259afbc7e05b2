using System.Globalization;
using Buildx.Core.BuildKit.Protocol.FileSync;
using Buildx.Core.Session.FileSend;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;
using Buildx.Core.Session;

namespace Buildx.Core.Tests.Session.FileSend;

/// <summary>Builds fake exports and runs them through a registered <see cref="FileSendService"/>.</summary>
internal static class FileSendHarness
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    // 2021-03-04T05:06:07.1234567Z: a 100 ns multiple, the finest .NET keeps.
    public const long SampleTime = 1_614_834_367_123_456_700;

    public static uint Octal(string digits) => Convert.ToUInt32(digits, 8);

    public static FakeEntry Dir(string path, string perm = "755", long time = SampleTime) => new(path, GoFileMode.Directory | Octal(perm), ModTimeNanoseconds: time);

    public static FakeEntry File(string path, string content, string perm = "644", long time = SampleTime) =>
        new(path, Octal(perm), System.Text.Encoding.UTF8.GetBytes(content), ModTimeNanoseconds: time);

    public static FakeEntry File(string path, byte[] content, string perm = "644") => new(path, Octal(perm), content, ModTimeNanoseconds: SampleTime);

    public static FakeEntry Symlink(string path, string target, long time = SampleTime) => new(path, GoFileMode.Symlink | Octal("777"), Linkname: target, ModTimeNanoseconds: time);

    public static FakeEntry HardLink(string path, string target) => new(path, Octal("644"), Linkname: target, ModTimeNanoseconds: SampleTime);

    public static FakeEntry CharDevice(string path) => new(path, GoFileMode.Device | GoFileMode.CharDevice | Octal("666"), ModTimeNanoseconds: SampleTime);

    public static DateTime SampleTimeUtc => DateTime.UnixEpoch.AddTicks(SampleTime / 100);

    public static (string Key, string Value) ExporterId(int id) => (FileSendMetadata.ExporterIdKey, id.ToString(CultureInfo.InvariantCulture));

    /// <summary>Runs one directory export stream; returns the handler's exception, or null.</summary>
    public static async Task<Exception?> RunAsync(FileSendService service, FakeDaemonCall call, FakeFsutilSender sender)
    {
        var handler = Handler(service);
        var serving = Task.Run(() => handler(call));
        var daemon = sender.RunAsync(CancellationToken.None);
        var error = await Capture(serving);
        call.EndCall();
        await daemon.WaitAsync(Timeout);
        return error;
    }

    /// <summary>
    /// Runs one tarball stream: the daemon sends <paramref name="chunks"/>, then half-closes; or, with
    /// <paramref name="cancelAfterChunks"/>, cancels the call once the handler has consumed them
    /// (after running <paramref name="beforeCancel"/>).
    /// </summary>
    public static async Task<Exception?> RunBytesAsync(FileSendService service, FakeDaemonCall call, IReadOnlyList<byte[]> chunks, bool cancelAfterChunks = false, Action? beforeCancel = null)
    {
        foreach (var chunk in chunks)
        {
            call.Send(new BytesMessage { Data = ByteString.CopyFrom(chunk) });
        }

        if (!cancelAfterChunks)
        {
            call.CloseSend();
        }

        var serving = Task.Run(() => Handler(service)(call));
        if (cancelAfterChunks)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (call.ReadCalls <= chunks.Count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            beforeCancel?.Invoke();
            call.Cancel();
        }

        var error = await Capture(serving);
        call.EndCall();
        return error;
    }

    public static Func<IGrpcRawCall, Task> Handler(FileSendService service)
    {
        var registry = new GrpcServiceRegistry();
        service.Register(registry);
        Assert.True(registry.TryGet(FileSendService.DiffCopyMethod, out var handler));
        return handler;
    }

    public static async Task<Exception?> Capture(Task task)
    {
        try
        {
            await task.WaitAsync(Timeout);
            return null;
        }
        catch (TimeoutException)
        {
            throw;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>Every path under a directory, relative, sorted, symlinks not followed: to prove nothing was left behind.</summary>
    public static string[] Listing(string directory)
    {
        var found = new List<string>();
        void Walk(string current)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(current))
            {
                found.Add(Path.GetRelativePath(directory, entry).Replace(Path.DirectorySeparatorChar, '/'));
                if (FileSystemEntry.Probe(entry) == FileSystemEntryType.Directory)
                {
                    Walk(entry);
                }
            }
        }

        if (Directory.Exists(directory))
        {
            Walk(directory);
        }

        return found.Order(StringComparer.Ordinal).ToArray();
    }
}
