using Buildx.Core.Session.FileSync;

namespace Buildx.Core.Tests.Session.FileSync;

public class ContextFileReaderTests
{
    [Fact]
    public void A_file_is_read_in_chunks_to_its_end()
    {
        using var directory = new TempDirectory();
        var content = new byte[(3 * 4096) + 17];
        Random.Shared.NextBytes(content);
        var path = Path.Combine(directory.Path, "fichier-ü.bin");
        File.WriteAllBytes(path, content);

        using var file = ContextFileReader.Create().TryOpen(path);

        Assert.NotNull(file);
        var read = new List<byte>();
        var buffer = new byte[4096];
        int count;
        while ((count = file.Read(buffer)) > 0)
        {
            read.AddRange(buffer.AsSpan(0, count).ToArray());
        }

        Assert.Equal(content, read.ToArray());
        Assert.Equal(0, file.Read(buffer));
    }

    [Fact]
    public void A_file_that_is_gone_is_not_opened()
    {
        using var directory = new TempDirectory();

        Assert.Null(ContextFileReader.Create().TryOpen(Path.Combine(directory.Path, "missing")));
    }

    [Fact]
    public async Task A_fifo_does_not_block_the_open()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var directory = new TempDirectory();
        var fifo = Path.Combine(directory.Path, "pipe");
        PosixTestFiles.MakeFifo(fifo);

        var open = Task.Run(() => ContextFileReader.Create().TryOpen(fifo));

        var file = await open.WaitAsync(TimeSpan.FromSeconds(5));
        file?.Dispose();
    }
}
