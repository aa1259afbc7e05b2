using Buildx.Core.Store;

namespace Buildx.Core.Tests.Store;

/// <summary>
/// A copy of Fixtures/buildx-store (files laid out and encoded exactly as buildx writes them) in a
/// temporary directory, so a test may change it freely.
/// </summary>
internal sealed class BuildxStoreFixture : IDisposable
{
    public const string DockerSocketKey = "unix:///var/run/docker.sock";

    private readonly TempDirectory _directory = new();

    public BuildxStoreFixture(bool withFixtureFiles = true)
    {
        if (withFixtureFiles)
        {
            CopyDirectory(Path.Combine(AppContext.BaseDirectory, "Store", "Fixtures", "buildx-store"), Root);
        }

        Store = BuilderStore.Open(Root);
    }

    public string Root => Path.Combine(_directory.Path, "buildx");

    public BuilderStore Store { get; }

    public static byte[] FixtureBytes(string relativePath) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Store", "Fixtures", "buildx-store", relativePath));

    public string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    public byte[] ReadBytes(string relativePath) => File.ReadAllBytes(PathOf(relativePath));

    public string ReadText(string relativePath) => File.ReadAllText(PathOf(relativePath));

    public void Write(string relativePath, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PathOf(relativePath))!);
        File.WriteAllText(PathOf(relativePath), content);
    }

    public void Dispose() => _directory.Dispose();

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(directory, Path.Combine(target, Path.GetFileName(directory)));
        }
    }
}
