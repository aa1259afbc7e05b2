namespace Buildx.Bench;

/// <summary>Makes the benchmark's build contexts once and reuses them across runs.</summary>
internal sealed class ContextFactory(string root)
{
    private const string Dockerfile = "FROM scratch\nCOPY . /\n";

    public string Tiny(string name)
    {
        var dir = Prepare(name);
        File.WriteAllText(Path.Combine(dir, "hello.txt"), "hello\n");
        return dir;
    }

    public string OneLargeFile(string name, long bytes)
    {
        var dir = Prepare(name);
        var path = Path.Combine(dir, "large.bin");
        if (!File.Exists(path) || new FileInfo(path).Length != bytes)
        {
            // Incompressible content, written once.
            var block = new byte[1 << 20];
            new Random(42).NextBytes(block);
            using var file = File.Create(path);
            for (long written = 0; written < bytes; written += block.Length)
            {
                file.Write(block, 0, (int)Math.Min(block.Length, bytes - written));
                block[0]++;
            }
        }

        // A new mtime makes BuildKit ask for the whole file again: the case measures a re-send.
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        return dir;
    }

    public string ManySmallFiles(string name, int count, int size)
    {
        var dir = Prepare(name);
        var marker = Path.Combine(dir, $".made-{count}-{size}");
        if (!File.Exists(marker))
        {
            var data = new byte[size];
            var random = new Random(7);
            for (var i = 0; i < count; i++)
            {
                var sub = Path.Combine(dir, "d" + (i / 500).ToString("000", System.Globalization.CultureInfo.InvariantCulture));
                Directory.CreateDirectory(sub);
                random.NextBytes(data);
                File.WriteAllBytes(Path.Combine(sub, $"f{i:00000}.bin"), data);
            }

            File.WriteAllText(marker, string.Empty);
        }

        // New mtimes make BuildKit ask for every file again: the case measures a re-send.
        var now = DateTime.UtcNow;
        foreach (var file in Directory.EnumerateFiles(dir, "f*.bin", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, now);
        }

        return dir;
    }

    public static void ChangeOneFile(string dir)
    {
        var file = Directory.EnumerateFiles(Path.Combine(dir, "d000")).First();
        var data = File.ReadAllBytes(file);
        data[0]++;
        File.WriteAllBytes(file, data);
    }

    private string Prepare(string name)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Dockerfile"), Dockerfile);
        File.WriteAllText(Path.Combine(dir, ".dockerignore"), ".made-*\n");
        return dir;
    }
}
