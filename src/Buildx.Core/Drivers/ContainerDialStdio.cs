using Buildx.Core.Docker;
using Buildx.Core.Errors;

namespace Buildx.Core.Drivers;

/// <summary>
/// A gRPC connection to BuildKit in a container: an Engine API exec of <c>buildctl dial-stdio</c>,
/// whose stdin and stdout carry the bytes. The docker-container driver and the remote driver's
/// <c>docker-container://</c> endpoints both connect this way, one process per connection.
/// </summary>
internal static class ContainerDialStdio
{
    private static readonly string[] DialStdioCommand = ["buildctl", "dial-stdio"];

    /// <param name="diagnostics">Gets what <c>buildctl dial-stdio</c> writes to stderr.</param>
    /// <param name="polled">For a session: the exec's connection is read and written with poll (see <see cref="DockerExec.StartAsync"/>).</param>
    public static async Task<Stream> DialAsync(DockerExec exec, string container, Action<string>? diagnostics, CancellationToken cancellationToken, bool polled = false)
    {
        var execId = await exec.CreateAsync(container, DialStdioCommand, attachStdin: true, cancellationToken).ConfigureAwait(false);
        var stream = await exec.StartAsync(execId, $"exec of 'buildctl dial-stdio' in container '{container}'", diagnostics, cancellationToken, polled).ConfigureAwait(false);
        stream.ErrorWhenEndedWithoutOutput = stderr => new BuildxException(
            ErrorIds.BuildkitUnreachable,
            BuildxErrorKind.ConnectionError,
            $"BuildKit in {container} closed the connection before answering: 'buildctl dial-stdio' "
            + (stderr.Count > 0 ? $"said: {string.Join(" / ", stderr.TakeLast(5))}" : "ended without output."),
            container);
        return stream;
    }
}
