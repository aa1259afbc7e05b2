using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Buildx.Core.Errors;

namespace Buildx.Core.Registry;

/// <summary>
/// Runs a Docker credential helper (<c>docker-credential-&lt;name&gt; get</c>): the server address
/// goes on stdin, the answer is JSON <c>{"ServerURL","Username","Secret"}</c> on stdout. A helper that
/// has no login for the address fails with "credentials not found", which means anonymous.
/// </summary>
public sealed class CredentialHelper(string name)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public string Name { get; } = name;

    public string Program => "docker-credential-" + Name;

    /// <summary>The login, or null when the helper has none for this address.</summary>
    public async Task<RegistryCredential?> GetAsync(string serverAddress, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Program, "get")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw Failed(serverAddress, "it did not start");
        }
        catch (Win32Exception ex)
        {
            throw Failed(serverAddress, $"'{Program}' was not found on PATH ({ex.Message})");
        }

        using (process)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Timeout);
            await process.StandardInput.WriteAsync(serverAddress.AsMemory(), deadline.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var errors = process.StandardError.ReadToEndAsync(deadline.Token);
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw Failed(serverAddress, $"it did not answer within {Timeout.TotalSeconds:0} s");
            }

            var text = (await output.ConfigureAwait(false)).Trim();
            if (process.ExitCode != 0)
            {
                var message = text.Length > 0 ? text : (await errors.ConfigureAwait(false)).Trim();
                // The helpers' own "not found" message (credentials.errCredentialsNotFound).
                if (message.Contains("credentials not found", StringComparison.OrdinalIgnoreCase))
                {
                    return null;
                }

                throw Failed(serverAddress, $"it exited with {process.ExitCode}: {message}");
            }

            return Parse(serverAddress, text);
        }
    }

    private RegistryCredential Parse(string serverAddress, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var username = root.TryGetProperty("Username", out var user) ? user.GetString() ?? string.Empty : string.Empty;
            var secret = root.TryGetProperty("Secret", out var value) ? value.GetString() ?? string.Empty : string.Empty;
            // "<token>" is the helpers' marker for an identity token.
            return new RegistryCredential(username == "<token>" ? string.Empty : username, secret);
        }
        catch (JsonException ex)
        {
            throw Failed(serverAddress, $"its answer is not JSON ({ex.Message})");
        }
    }

    private BuildxException Failed(string serverAddress, string why) => new(
        ErrorIds.RegistryCredentialsUnavailable,
        BuildxErrorKind.PermissionDenied,
        $"The credential helper '{Program}' could not give a login for '{serverAddress}': {why}. Fix or remove the helper in $DOCKER_CONFIG/config.json (credsStore / credHelpers), or give -Credential.",
        serverAddress);
}
