using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Buildx.Core.Docker;
using Buildx.Core.Errors;

namespace Buildx.Core.Registry;

/// <summary>
/// Finds the login for a registry as the Docker CLI does, after the logins given explicitly:
/// <c>credHelpers[host]</c>, else <c>credsStore</c>, else <c>auths[host]</c> in
/// <c>$DOCKER_CONFIG/config.json</c>. Answers are remembered for the life of the store (one build).
/// </summary>
public sealed class RegistryCredentialStore
{
    private readonly Dictionary<string, RegistryCredential> explicitLogins;
    private readonly string configPath;
    private readonly ConcurrentDictionary<string, Task<RegistryCredential?>> answers = new(StringComparer.Ordinal);
    private readonly Lazy<DockerConfigFile> config;

    /// <param name="explicitLogins">Logins by registry address (<c>-Credential</c>); they win over config.json.</param>
    public RegistryCredentialStore(IEnvironment environment, IReadOnlyDictionary<string, RegistryCredential>? explicitLogins = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        this.explicitLogins = (explicitLogins ?? new Dictionary<string, RegistryCredential>())
            .ToDictionary(pair => RegistryHost.Normalize(pair.Key), pair => pair.Value, StringComparer.Ordinal);
        configPath = Path.Combine(DockerConfigDirectory.Resolve(environment), "config.json");
        config = new Lazy<DockerConfigFile>(() => DockerConfigFile.Load(configPath));
    }

    /// <summary>The login for a registry host, or null for anonymous access.</summary>
    public Task<RegistryCredential?> GetAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var key = RegistryHost.Normalize(host);
        return answers.GetOrAdd(key, k => LookUpAsync(k, cancellationToken));
    }

    private async Task<RegistryCredential?> LookUpAsync(string key, CancellationToken cancellationToken)
    {
        if (explicitLogins.TryGetValue(key, out var given))
        {
            return given;
        }

        var file = config.Value;
        var helper = file.HelperFor(key);
        if (helper is not null)
        {
            return await new CredentialHelper(helper).GetAsync(key, cancellationToken).ConfigureAwait(false);
        }

        return file.AuthFor(key);
    }

    /// <summary>The parts of config.json that hold logins.</summary>
    private sealed record DockerConfigFile(string? CredsStore, IReadOnlyDictionary<string, string> CredHelpers, IReadOnlyDictionary<string, RegistryCredential> Auths, string Path)
    {
        public static DockerConfigFile Load(string path)
        {
            if (!File.Exists(path))
            {
                return new DockerConfigFile(null, new Dictionary<string, string>(), new Dictionary<string, RegistryCredential>(), path);
            }

            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(path));
                var root = document.RootElement;
                var store = root.TryGetProperty("credsStore", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                var helpers = new Dictionary<string, string>(StringComparer.Ordinal);
                if (root.TryGetProperty("credHelpers", out var h) && h.ValueKind == JsonValueKind.Object)
                {
                    foreach (var entry in h.EnumerateObject())
                    {
                        helpers[RegistryHost.Normalize(entry.Name)] = entry.Value.GetString() ?? string.Empty;
                    }
                }

                var auths = new Dictionary<string, RegistryCredential>(StringComparer.Ordinal);
                if (root.TryGetProperty("auths", out var a) && a.ValueKind == JsonValueKind.Object)
                {
                    foreach (var entry in a.EnumerateObject())
                    {
                        if (ReadAuth(entry.Value, path, entry.Name) is { } login)
                        {
                            auths.TryAdd(RegistryHost.Normalize(entry.Name), login);
                        }
                    }
                }

                return new DockerConfigFile(string.IsNullOrEmpty(store) ? null : store, helpers, auths, path);
            }
            catch (JsonException ex)
            {
                throw new BuildxException(ErrorIds.DockerConfigInvalid, BuildxErrorKind.InvalidArgument,
                    $"The Docker config file '{path}' is not valid JSON ({ex.Message}); fix it or point DOCKER_CONFIG at another directory.", path, ex);
            }
        }

        public string? HelperFor(string key) =>
            CredHelpers.TryGetValue(key, out var helper) && helper.Length > 0 ? helper : CredsStore;

        public RegistryCredential? AuthFor(string key) => Auths.GetValueOrDefault(key);

        private static RegistryCredential? ReadAuth(JsonElement entry, string path, string name)
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (entry.TryGetProperty("identitytoken", out var token) && token.GetString() is { Length: > 0 } identity)
            {
                return new RegistryCredential(string.Empty, identity);
            }

            if (entry.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
            {
                string decoded;
                try
                {
                    decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                }
                catch (FormatException ex)
                {
                    throw new BuildxException(ErrorIds.DockerConfigInvalid, BuildxErrorKind.InvalidArgument,
                        $"The login for '{name}' in '{path}' is not base64 of user:password; log in again or remove it.", path, ex);
                }

                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return colon < 0 ? null : new RegistryCredential(decoded[..colon], decoded[(colon + 1)..]);
            }

            var user = entry.TryGetProperty("username", out var u) ? u.GetString() : null;
            var password = entry.TryGetProperty("password", out var p) ? p.GetString() : null;
            return string.IsNullOrEmpty(user) ? null : new RegistryCredential(user, password ?? string.Empty);
        }
    }
}
