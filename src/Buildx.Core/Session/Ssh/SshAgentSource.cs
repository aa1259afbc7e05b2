using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;
using Buildx.Core.Session.Ssh.Agent;
using Buildx.Core.Session.Ssh.Keys;

namespace Buildx.Core.Session.Ssh;

/// <summary>
/// What serves one forwarded id: a local agent (unix socket or Windows pipe) whose bytes are
/// relayed, or an in-process keyring over key files. As in BuildKit's ssh provider, every path of
/// an id is either the one agent socket or a key file; a socket and keys together are refused.
/// </summary>
internal sealed class SshAgentSource : IDisposable
{
    private SshAgentSource(string? socketPath, SshAgentKeyring? keyring)
    {
        SocketPath = socketPath;
        Keyring = keyring;
    }

    /// <summary>The agent socket or pipe to relay to, when the id names an agent.</summary>
    public string? SocketPath { get; }

    /// <summary>The keys to serve in-process, when the id names key files.</summary>
    public SshAgentKeyring? Keyring { get; }

    /// <summary>Classifies the paths, loads key files (decrypting them) or checks the agent answers; all before the build.</summary>
    public static async Task<SshAgentSource> ResolveAsync(SshSpec spec, CancellationToken cancellationToken)
    {
        var sockets = new List<string>();
        var keyFiles = new List<string>();
        foreach (var path in spec.Paths)
        {
            (IsAgent(spec.Id, path) ? sockets : keyFiles).Add(path);
        }

        if (sockets.Count > 1)
        {
            throw new BuildxException(ErrorIds.InvalidSsh, BuildxErrorKind.InvalidArgument,
                $"-Ssh '{spec.Id}': several agent sockets were given ({string.Join(", ", sockets)}); an id forwards one agent. Give one socket, or key files.", spec.Id);
        }

        if (sockets.Count == 1 && keyFiles.Count > 0)
        {
            throw new BuildxException(ErrorIds.InvalidSsh, BuildxErrorKind.InvalidArgument,
                $"-Ssh '{spec.Id}': an agent socket ({sockets[0]}) and key files ({string.Join(", ", keyFiles)}) cannot be combined under one id. Give either one agent socket or key files, or use two ids.", spec.Id);
        }

        if (sockets.Count == 1)
        {
            await SshAgentConnector.ProbeAsync(spec.Id, sockets[0], cancellationToken).ConfigureAwait(false);
            return new SshAgentSource(sockets[0], null);
        }

        var keys = new List<SshPrivateKey>();
        try
        {
            foreach (var file in keyFiles)
            {
                keys.Add(SshKeyFile.Load(file, spec.Passphrase));
            }
        }
        catch
        {
            keys.ForEach(k => k.Dispose());
            throw;
        }

        return new SshAgentSource(null, new SshAgentKeyring(keys));
    }

    public void Dispose() => Keyring?.Dispose();

    /// <summary>The type bits of what <paramref name="path"/> finally names (links followed), or null where lstat is not available.</summary>
    private static uint? FileType(string path)
    {
        var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
        return FileSync.FileStatReader.Create().TryGetStatus(target, out var status) ? status.Mode & GoFileMode.TypeMask : null;
    }

    /// <summary>
    /// A Windows pipe, or an existing path that cannot be opened as a file (a unix socket refuses
    /// open(2)), is an agent; a readable file is a key. Missing paths are reported here.
    /// </summary>
    private static bool IsAgent(string id, string path)
    {
        if (SshAgentConnector.IsNamedPipe(path))
        {
            return true;
        }

        if (Directory.Exists(path))
        {
            throw new BuildxException(ErrorIds.InvalidSsh, BuildxErrorKind.InvalidArgument,
                $"-Ssh '{id}': '{path}' is a directory. Give the socket of a running ssh-agent or a private key file.", path);
        }

        if (File.Exists(path) && FileType(path) is { } type)
        {
            // open(2) on a FIFO or a device waits for the other end: decide from the file's type instead.
            if ((type & GoFileMode.Socket) != 0)
            {
                return true;
            }

            if ((type & (GoFileMode.NamedPipe | GoFileMode.Device | GoFileMode.CharDevice)) != 0)
            {
                throw new BuildxException(ErrorIds.InvalidSsh, BuildxErrorKind.InvalidArgument,
                    $"-Ssh '{id}': '{path}' is a {((type & GoFileMode.NamedPipe) != 0 ? "FIFO" : "device")}, neither an agent socket nor a key file. Give the socket of a running ssh-agent (SSH_AUTH_SOCK) or a private key file.", path);
            }
        }

        if (!File.Exists(path))
        {
            throw new BuildxException(ErrorIds.SshAgentUnavailable, BuildxErrorKind.ObjectNotFound,
                $"-Ssh '{id}': '{path}' does not exist. Give the socket of a running ssh-agent (SSH_AUTH_SOCK), a Windows agent pipe such as \\\\.\\pipe\\openssh-ssh-agent, or a private key file.", path);
        }

        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            // An unreadable file: loading it as a key reports that clearly.
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
