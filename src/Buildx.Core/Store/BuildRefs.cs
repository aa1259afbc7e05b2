using System.Text.Json;
using Buildx.Core.Errors;

namespace Buildx.Core.Store;

/// <summary>
/// The part of buildx's local state (<c>refs/</c>, <c>localstate.go</c>) that the store's remove
/// and leave touch: <c>refs/&lt;builder&gt;/&lt;node&gt;/&lt;ref&gt;</c> records of past builds and
/// <c>refs/__group__/&lt;id&gt;</c> bake groups. A group goes with a node when all its refs do.
/// </summary>
internal sealed class BuildRefs
{
    private const string GroupDirectoryName = "__group__";

    private readonly string _refsDirectory;

    private BuildRefs(string refsDirectory) => _refsDirectory = refsDirectory;

    /// <summary>As <c>localstate.New</c>: creates <c>refs/</c> (0700) if missing.</summary>
    public static BuildRefs Open(string storeRoot)
    {
        var refs = Path.Combine(storeRoot, "refs");
        StoreDirectories.Create(refs);
        return new BuildRefs(refs);
    }

    public void RemoveBuilder(string builderName)
    {
        var builderDirectory = Path.Combine(_refsDirectory, builderName);
        if (!Directory.Exists(builderDirectory))
        {
            return;
        }

        foreach (var nodeDirectory in Directory.EnumerateDirectories(builderDirectory))
        {
            RemoveBuilderNode(builderName, Path.GetFileName(nodeDirectory));
        }

        DeleteRecursively(builderDirectory);
    }

    public void RemoveBuilderNode(string builderName, string nodeName)
    {
        var nodeDirectory = Path.Combine(_refsDirectory, builderName, nodeName);
        if (!Directory.Exists(nodeDirectory))
        {
            return;
        }

        // How many of each group's refs live on this node, and how many the group has.
        var refsHere = new Dictionary<string, int>(StringComparer.Ordinal);
        var groupSizes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var refFile in Directory.EnumerateFiles(nodeDirectory))
        {
            var groupRef = ReadStringField(refFile, "GroupRef");
            if (string.IsNullOrEmpty(groupRef))
            {
                continue;
            }

            refsHere[groupRef] = refsHere.GetValueOrDefault(groupRef) + 1;
            if (!groupSizes.ContainsKey(groupRef) && TryReadGroupSize(groupRef, out var size))
            {
                groupSizes[groupRef] = size;
            }
        }

        foreach (var (groupRef, size) in groupSizes)
        {
            if (refsHere.TryGetValue(groupRef, out var count) && count == size)
            {
                File.Delete(Path.Combine(_refsDirectory, GroupDirectoryName, groupRef));
            }
        }

        DeleteRecursively(nodeDirectory);
    }

    private bool TryReadGroupSize(string groupRef, out int size)
    {
        size = 0;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_refsDirectory, GroupDirectoryName, groupRef)));
            var refs = FindProperty(document.RootElement, "Refs");
            size = refs is { ValueKind: JsonValueKind.Array } array ? array.GetArrayLength() : 0;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // buildx ignores a group it cannot read.
            return false;
        }
    }

    private static string? ReadStringField(string path, string field)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var value = FindProperty(document.RootElement, field);
            return value is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;
        }
        catch (JsonException ex)
        {
            throw new BuildxException(ErrorIds.StoreCorrupt, BuildxErrorKind.InvalidOperation, $"{path}: {ex.Message}", path, ex);
        }
    }

    // Go's field match: exact, else case-insensitive.
    private static JsonElement? FindProperty(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (element.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    internal static void DeleteRecursively(string path)
    {
        if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }
    }
}
