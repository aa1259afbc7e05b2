namespace Buildx.Core.Tests.Registry;

/// <summary>
/// A real <c>docker-credential-&lt;name&gt;</c> executable (a shell script) speaking the helper
/// protocol: <c>get</c> reads the server address on stdin; it knows 127.0.0.1:5001 only.
/// </summary>
public sealed class HelperScript
{
    private static readonly SemaphoreSlim PathLock = new(1, 1);

    private HelperScript(string name, string directory, string inputLog)
    {
        Name = name;
        Directory = directory;
        InputLog = inputLog;
    }

    public string Name { get; }

    public string Directory { get; }

    /// <summary>What the helper last read on stdin.</summary>
    public string InputLog { get; }

    public static HelperScript Create(string root, string name)
    {
        var bin = Path.Combine(root, "bin");
        System.IO.Directory.CreateDirectory(bin);
        var log = Path.Combine(root, name + ".stdin");
        var script = Path.Combine(bin, "docker-credential-" + name);
        File.WriteAllText(script, $$"""
            #!/bin/sh
            [ "$1" = get ] || { echo "unknown action $1" >&2; exit 1; }
            read -r server
            printf '%s' "$server" > '{{log}}'
            if [ "$server" = "127.0.0.1:5001" ]; then
              printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret-for-%s"}\n' "$server" "$server"
            else
              echo "credentials not found in native keychain"
              exit 1
            fi
            """.Replace("\r", string.Empty, StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return new HelperScript(name, bin, log);
    }

    /// <summary>Puts the helper's directory first on PATH until disposed (tests share the process, so PATH changes are serialized).</summary>
    public IDisposable OnPath()
    {
        PathLock.Wait();
        var previous = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", Directory + Path.PathSeparator + previous);
        return new Restore(() =>
        {
            Environment.SetEnvironmentVariable("PATH", previous);
            PathLock.Release();
        });
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
