using System.Security.Cryptography;

namespace Buildx.Core.Configuration;

/// <summary>
/// This machine's id in the buildx directory (<c>.buildNodeID</c>, 16 hex characters). It ends
/// every session shared key, so BuildKit recognizes a context it has seen from this machine and
/// sends only what changed. Shared with docker buildx, so both tools get the same incremental cache.
/// </summary>
public static class LocalNodeId
{
    private const string FileName = ".buildNodeID";

    public static string GetOrCreate(string buildxDirectory)
    {
        var path = Path.Combine(buildxDirectory, FileName);
        if (TryRead(path) is { } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(buildxDirectory);
        var created = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(created);
        }

        // Another process may have written one meanwhile: keep whichever landed first.
        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException)
        {
            File.Delete(temp);
        }

        return TryRead(path) ?? created;
    }

    private static string? TryRead(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var text = File.ReadAllText(path).Trim();
        return text.Length > 0 ? text : null;
    }
}
