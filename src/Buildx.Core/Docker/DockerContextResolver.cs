using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Buildx.Core.Errors;
using Buildx.Core.Transport;

namespace Buildx.Core.Docker;

/// <summary>
/// Finds the Docker engine the way the Docker CLI does: <c>DOCKER_CONTEXT</c>, then
/// <c>DOCKER_HOST</c>, then <c>currentContext</c> in config.json (looked up in the contexts'
/// meta store), then the platform default socket.
/// </summary>
public sealed class DockerContextResolver(IEnvironment environment)
{
    public static string PlatformDefaultHost => OperatingSystem.IsWindows()
        ? "npipe:////./pipe/docker_engine"
        : "unix:///var/run/docker.sock";

    public string ConfigDirectory { get; } = DockerConfigDirectory.Resolve(environment);

    public DockerContext ResolveCurrent()
    {
        var contextName = environment.GetVariable("DOCKER_CONTEXT");
        if (!string.IsNullOrEmpty(contextName))
        {
            return Resolve(contextName, "the DOCKER_CONTEXT environment variable");
        }

        var dockerHost = environment.GetVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(dockerHost))
        {
            return new DockerContext(DockerContext.DefaultName, Endpoint.Parse(dockerHost), "the DOCKER_HOST environment variable");
        }

        var current = ReadCurrentContextName();
        return current is null || current == DockerContext.DefaultName
            ? DefaultContext()
            : Resolve(current, $"currentContext in {ConfigFilePath}");
    }

    /// <summary>Resolves a context by name; <c>default</c> is the platform default engine (or DOCKER_HOST).</summary>
    public DockerContext Resolve(string name, string source)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == DockerContext.DefaultName)
        {
            return DefaultContext();
        }

        var metaFile = Path.Combine(ConfigDirectory, "contexts", "meta", ContextDirectoryName(name), "meta.json");
        if (!File.Exists(metaFile))
        {
            throw new BuildxException(
                ErrorIds.DockerContextNotFound,
                BuildxErrorKind.ObjectNotFound,
                $"The Docker context '{name}' (from {source}) does not exist: {metaFile} is missing. List contexts in {Path.Combine(ConfigDirectory, "contexts", "meta")} or clear the setting.",
                name);
        }

        var meta = ReadJson(metaFile);
        if (!meta.TryGetProperty("Endpoints", out var endpoints)
            || !endpoints.TryGetProperty("docker", out var docker)
            || !docker.TryGetProperty("Host", out var hostElement)
            || hostElement.GetString() is not { Length: > 0 } host)
        {
            throw new BuildxException(
                ErrorIds.DockerConfigInvalid,
                BuildxErrorKind.InvalidArgument,
                $"The Docker context '{name}' in {metaFile} has no docker endpoint host.",
                name);
        }

        var skipTls = docker.TryGetProperty("SkipTLSVerify", out var skip) && skip.ValueKind == JsonValueKind.True;
        var tlsDirectory = Path.Combine(ConfigDirectory, "contexts", "tls", ContextDirectoryName(name), "docker");
        return new DockerContext(name, Endpoint.Parse(host), $"Docker context '{name}' ({source})", skipTls,
            Directory.Exists(tlsDirectory) ? tlsDirectory : null);
    }

    /// <summary>The names of every context in the meta store, plus <c>default</c>.</summary>
    public IReadOnlyList<string> ListContextNames()
    {
        var names = new List<string> { DockerContext.DefaultName };
        var metaRoot = Path.Combine(ConfigDirectory, "contexts", "meta");
        if (!Directory.Exists(metaRoot))
        {
            return names;
        }

        foreach (var metaFile in Directory.EnumerateFiles(metaRoot, "meta.json", SearchOption.AllDirectories))
        {
            try
            {
                if (ReadJson(metaFile).TryGetProperty("Name", out var name) && name.GetString() is { Length: > 0 } text)
                {
                    names.Add(text);
                }
            }
            catch (BuildxException)
            {
                // A broken context file must not hide the others; resolving it by name reports it.
            }
        }

        return names;
    }

    private string ConfigFilePath => Path.Combine(ConfigDirectory, "config.json");

    private DockerContext DefaultContext()
    {
        var dockerHost = environment.GetVariable("DOCKER_HOST");
        return string.IsNullOrEmpty(dockerHost)
            ? new DockerContext(DockerContext.DefaultName, Endpoint.Parse(PlatformDefaultHost), "the platform default")
            : new DockerContext(DockerContext.DefaultName, Endpoint.Parse(dockerHost), "the DOCKER_HOST environment variable");
    }

    private string? ReadCurrentContextName()
    {
        if (!File.Exists(ConfigFilePath))
        {
            return null;
        }

        var config = ReadJson(ConfigFilePath);
        return config.TryGetProperty("currentContext", out var current) && current.ValueKind == JsonValueKind.String
            ? current.GetString() is { Length: > 0 } name ? name : null
            : null;
    }

    /// <summary>The meta store names a context's folder by the hex SHA-256 of its name.</summary>
    internal static string ContextDirectoryName(string name) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name))).ToLowerInvariant();

    private static JsonElement ReadJson(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new BuildxException(
                ErrorIds.DockerConfigInvalid,
                BuildxErrorKind.InvalidArgument,
                $"{path} is not valid JSON: {ex.Message}",
                path,
                ex);
        }
    }
}
