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

    /// <summary>Checks, before the build, that an agent answers at <paramref name="path"/>.</summary>
    public static async Task ProbeAsync(string id, string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await ConnectAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or UnauthorizedAccessException)
        {
            throw new BuildxException(ErrorIds.SshAgentUnavailable, BuildxErrorKind.ConnectionError,
                $"-Ssh '{id}': no ssh-agent answers at '{path}' ({ex.Message}). Give the socket of a running agent (SSH_AUTH_SOCK), a Windows agent pipe, or a private key file.", path, ex);
        }
    }
}
