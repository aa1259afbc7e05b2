using System.IO.Pipes;
using System.Net.Sockets;
using Buildx.Core.Errors;

namespace Buildx.Core.Session.Ssh;

/// <summary>Opens a connection to an ssh-agent: a unix socket, or a Windows named pipe (<c>\\.\pipe\name</c>).</summary>
internal static class SshAgentConnector
{
    private const string PipePrefix = @"\\.\pipe\";

    public static bool IsNamedPipe(string path) => path.StartsWith(PipePrefix, StringComparison.OrdinalIgnoreCase) || path.StartsWith("//./pipe/", StringComparison.OrdinalIgnoreCase);

    public static async Task<Stream> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        if (IsNamedPipe(path))
        {
            var pipe = new NamedPipeClientStream(".", path[PipePrefix.Length..], PipeDirection.InOut, PipeOptions.Asynchronous);
            try
            {
                await pipe.ConnectAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                return pipe;
            }
            catch
            {
                await pipe.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return await Transport.EndpointDialer.DialUnixAsync(path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks, before the build, that an agent answers at <paramref name="path"/>. A private key file
    /// is refused clearly: forwarding keys needs an in-process agent this module does not have.
    /// </summary>
    public static async Task ProbeAsync(string id, string path, CancellationToken cancellationToken)
    {
        if (!IsNamedPipe(path) && !File.Exists(path))
        {
            throw new BuildxException(ErrorIds.SshAgentUnavailable, BuildxErrorKind.ObjectNotFound,
                $"-Ssh '{id}': '{path}' does not exist. Give the socket of a running ssh-agent (SSH_AUTH_SOCK), or a Windows agent pipe such as \\\\.\\pipe\\openssh-ssh-agent.", path);
        }

        try
        {
            await using var connection = await ConnectAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or UnauthorizedAccessException)
        {
            if (!IsNamedPipe(path) && LooksLikeKeyFile(path))
            {
                throw new BuildxException(ErrorIds.SshAgentUnavailable, BuildxErrorKind.NotImplemented,
                    $"-Ssh '{id}': '{path}' is a key file; forwarding key files is not supported yet. Load the key into an ssh-agent (ssh-add) and give the agent's socket.", path, ex);
            }

            throw new BuildxException(ErrorIds.SshAgentUnavailable, BuildxErrorKind.ConnectionError,
                $"-Ssh '{id}': no ssh-agent answers at '{path}' ({ex.Message}). Give the socket of a running agent (SSH_AUTH_SOCK) or a Windows agent pipe.", path, ex);
        }
    }

    private static bool LooksLikeKeyFile(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            var buffer = new char[64];
            var read = reader.Read(buffer, 0, buffer.Length);
            return new string(buffer, 0, read).StartsWith("-----BEGIN", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
