using System.Diagnostics;
using System.Formats.Tar;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Buildx.Core.Docker;

namespace Buildx.Core.Tests.Engine;

/// <summary>
/// Builds the BuildKit stand-in image once per test run, with no registry: busybox plus the relay
/// in tests/fixtures/buildkit-standin/relay.c (compiled here with <c>gcc -static</c>) installed as
/// <c>/usr/bin/buildctl</c> and <c>/usr/bin/buildkitd</c>, imported as a rootfs tarball through
/// <c>POST /images/create?fromSrc=-</c>. Its <c>buildctl dial-stdio</c> relays to the engine's own
/// BuildKit over the engine socket, which tests bind into the container.
/// The image is rebuilt only when the relay source changed (a label carries its hash).
/// </summary>
public static class StandinImage
{
    public const string Repository = "buildx-test/buildkit-standin";
    public const string Tag = "latest";
    public const string Reference = Repository + ":" + Tag;

    /// <summary>Where the relay looks for the engine socket inside the container.</summary>
    public const string EngineSocketInContainer = "/run/docker.sock";

    /// <summary>The version field <c>buildkitd --version</c> prints in the stand-in.</summary>
    public const string Version = "v0.0.0-standin";

    private const string SourceLabel = "org.buildx-powershell.standin.source";
    private const string BusyboxPath = "/bin/busybox";

    private static readonly Lazy<Task> Built = new(BuildIfChangedAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task EnsureAsync() => Built.Value;

    private static string RelaySourcePath => Path.Combine(AppContext.BaseDirectory, "fixtures", "buildkit-standin", "relay.c");

    private static async Task BuildIfChangedAsync()
    {
        var source = await File.ReadAllBytesAsync(RelaySourcePath);
        var fingerprint = Convert.ToHexString(SHA256.HashData(source)).ToLowerInvariant();
        using var engine = EngineFixture.CreateEngine();
        if (await CurrentFingerprintAsync(engine) == fingerprint)
        {
            return;
        }

        using var directory = new TempDirectory();
        var relay = Compile(directory.Path);
        using var rootfs = await BuildRootfsAsync(relay);
        await ImportAsync(engine, rootfs, fingerprint);
    }

    private static async Task<string?> CurrentFingerprintAsync(DockerEngineClient engine)
    {
        using var response = await engine.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"images/{Reference}/json"), null, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var image = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return image.RootElement.TryGetProperty("Config", out var config)
            && config.TryGetProperty("Labels", out var labels) && labels.ValueKind == JsonValueKind.Object
            && labels.TryGetProperty(SourceLabel, out var label)
                ? label.GetString()
                : null;
    }

    private static string Compile(string directory)
    {
        var output = Path.Combine(directory, "relay");
        var (exitCode, text) = Run("gcc", ["-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", output, RelaySourcePath]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"Compiling the BuildKit stand-in failed (gcc exited {exitCode}); it needs gcc and a static libc (apt-get install gcc libc6-dev):\n{text}");
        }

        return output;
    }

    private static async Task<MemoryStream> BuildRootfsAsync(string relay)
    {
        if (!File.Exists(BusyboxPath))
        {
            throw new InvalidOperationException($"The BuildKit stand-in needs a static busybox at {BusyboxPath} (apt-get install busybox-static).");
        }

        var (exitCode, list) = Run(BusyboxPath, ["--list"]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"'{BusyboxPath} --list' failed: {list}");
        }

        var rootfs = new MemoryStream();
        await using (var tar = new TarWriter(rootfs, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var directory in new[] { "bin", "etc", "root", "run", "usr", "usr/bin", "var", "var/lib", "var/lib/buildkit" })
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, directory + "/") { Mode = Mode("755") });
            }

            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "tmp/") { Mode = Mode("1777") });
            await WriteFileAsync(tar, "bin/busybox", await File.ReadAllBytesAsync(BusyboxPath), "755");
            foreach (var applet in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(a => a != "busybox"))
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox", Mode = Mode("777") });
            }

            await WriteFileAsync(tar, "usr/bin/buildctl", await File.ReadAllBytesAsync(relay), "755");
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "usr/bin/buildkitd") { LinkName = "buildctl", Mode = Mode("777") });
            await WriteFileAsync(tar, "etc/passwd", Encoding.ASCII.GetBytes("root:x:0:0:root:/root:/bin/sh\n"), "644");
            await WriteFileAsync(tar, "etc/group", Encoding.ASCII.GetBytes("root:x:0:\n"), "644");
        }

        rootfs.Position = 0;
        return rootfs;
    }

    private static async Task ImportAsync(DockerEngineClient engine, Stream rootfs, string fingerprint)
    {
        // moby/buildkit's entrypoint is buildkitd; the driver's Cmd is only its flags.
        string[] changes =
        [
            "ENTRYPOINT [\"buildkitd\"]",
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            $"LABEL {SourceLabel}={fingerprint}",
        ];
        var query = $"images/create?fromSrc=-&repo={Uri.EscapeDataString(Repository)}&tag={Tag}"
            + string.Concat(changes.Select(change => "&changes=" + Uri.EscapeDataString(change)));
        using var content = new StreamContent(rootfs);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await engine.SendAsync(new HttpRequestMessage(HttpMethod.Post, query) { Content = content }, null, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || body.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Importing the BuildKit stand-in image failed ({(int)response.StatusCode}): {body}");
        }

        if (await CurrentFingerprintAsync(engine) != fingerprint)
        {
            throw new InvalidOperationException($"The engine imported the stand-in image but {Reference} does not carry the label {SourceLabel}={fingerprint}: {body}");
        }
    }

    private static async Task WriteFileAsync(TarWriter tar, string name, byte[] content, string mode)
    {
        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = Mode(mode), DataStream = new MemoryStream(content) });
    }

    private static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    private static (int ExitCode, string Output) Run(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not run {program}: {ex.Message}. The BuildKit stand-in needs gcc and busybox-static.", ex);
        }
    }
}
