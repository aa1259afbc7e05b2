using System.Text;
using System.Text.RegularExpressions;
using Buildx.Core.Errors;

namespace Buildx.Core.Builders;

/// <summary>
/// A buildkitd TOML config given with <c>-BuildkitdConfig</c> (or <c>buildkitd.default.toml</c> in
/// the store), kept as the node's file <c>buildkitd.toml</c> and copied into the container's
/// <c>/etc/buildkit</c>. It is stored as written; unlike buildx, registry certificate files it
/// names are not copied in yet.
/// </summary>
public static partial class BuildkitdConfigFile
{
    public const string StoredName = "buildkitd.toml";

    /// <summary>The store's default config, used when none is given (buildx's <c>BuildKitConfigFile</c>).</summary>
    public const string DefaultFileName = "buildkitd.default.toml";

    /// <summary>The config's content as the node's files, or an error naming the path when it cannot be read.</summary>
    public static IReadOnlyDictionary<string, byte[]> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return new Dictionary<string, byte[]>(StringComparer.Ordinal) { [StoredName] = File.ReadAllBytes(path) };
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BuildxException(ErrorIds.BuildkitdConfigNotFound, BuildxErrorKind.ObjectNotFound, $"The buildkitd config file '{path}' does not exist.", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BuildxException(ErrorIds.BuildkitdConfigNotFound, BuildxErrorKind.PermissionDenied, $"The buildkitd config file '{path}' cannot be read: {ex.Message}", path, ex);
        }
    }

    /// <summary>Whether the config's top-level <c>entitlements</c> list has <c>network.host</c>.</summary>
    public static bool AllowsNetworkHost(IReadOnlyDictionary<string, byte[]>? files) =>
        files is not null && files.TryGetValue(StoredName, out var content) && EntitlementsWithNetworkHost().IsMatch(Encoding.UTF8.GetString(content));

    [GeneratedRegex(@"^\s*entitlements\s*=\s*\[[^\]]*[""']network\.host[""']", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex EntitlementsWithNetworkHost();
}
