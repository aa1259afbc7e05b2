using System.Diagnostics;

namespace Buildx.Core.Tests.Session.Ssh;

/// <summary>Makes private keys with the real ssh-keygen (and openssl for formats ssh-keygen does not write).</summary>
internal static class SshKeygen
{
    /// <summary>A generated key: the private file and the public blob ssh-keygen wrote beside it.</summary>
    public sealed record GeneratedKey(string PrivatePath, byte[] PublicBlob, string Comment);

    public static GeneratedKey Generate(string directory, string type, int? bits = null, string? format = null, string passphrase = "", string? cipher = null, string? comment = null, int? kdfRounds = null)
    {
        var path = Path.Combine(directory, $"id_{type}{bits}{format}_{Guid.NewGuid():N}"[..32]);
        comment ??= "buildx-test-" + Guid.NewGuid().ToString("N")[..8];
        var arguments = new List<string> { "-q", "-t", type, "-N", passphrase, "-C", comment, "-f", path };
        if (bits is { } size)
        {
            arguments.AddRange(["-b", size.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (format is not null)
        {
            arguments.AddRange(["-m", format]);
        }

        if (kdfRounds is { } rounds)
        {
            arguments.AddRange(["-a", rounds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (cipher is not null)
        {
            arguments.AddRange(["-Z", cipher]);
        }

        Run("ssh-keygen", arguments);
        return new GeneratedKey(path, PublicBlob(File.ReadAllText(path + ".pub")), comment);
    }

    /// <summary>The base64 blob of an authorized_keys / .pub line.</summary>
    public static byte[] PublicBlob(string line) => Convert.FromBase64String(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    /// <summary>The public blob of any private key file, as ssh-keygen -y derives it.</summary>
    public static byte[] PublicBlobOf(string privatePath, string passphrase = "") => PublicBlob(Run("ssh-keygen", ["-y", "-P", passphrase, "-f", privatePath]));

    public static string Run(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? input = null)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors.Result}");
        }

        return output.Result;
    }
}
