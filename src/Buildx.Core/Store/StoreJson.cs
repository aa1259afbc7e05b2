using System.Text.Json;
using Buildx.Core.Errors;
using Buildx.Core.Text;

namespace Buildx.Core.Store;

/// <summary>
/// Reads and writes the store's JSON files exactly as buildx's Go structs do.
/// Writing: field order of the Go struct, compact, Go string escaping, map keys sorted, nil
/// collections as <c>null</c>, <c>[]byte</c> as base64, <c>omitempty</c> only on the platform's
/// optional fields. Reading: field names match case-insensitively and <c>null</c> leaves a string
/// or bool unchanged, as Go's <c>json.Unmarshal</c>; unknown fields are kept to be written back.
/// </summary>
internal static class StoreJson
{
    private static readonly string[] NodeGroupFields = ["Name", "Driver", "Nodes", "Dynamic"];
    private static readonly string[] NodeFields = ["Name", "Endpoint", "Platforms", "DriverOpts", "Flags", "Files"];
    private static readonly string[] PlatformFields = ["architecture", "os", "os.version", "os.features", "variant"];
    private static readonly string[] CurrentFields = ["Key", "Name", "Global"];

    public static byte[] Serialize(NodeGroup group)
    {
        var writer = new GoJsonWriter();
        Write(writer, group);
        return writer.ToArray();
    }

    public static byte[] Serialize(Node node)
    {
        var writer = new GoJsonWriter();
        Write(writer, node);
        return writer.ToArray();
    }

    public static byte[] Serialize(OciPlatform platform)
    {
        var writer = new GoJsonWriter();
        Write(writer, platform);
        return writer.ToArray();
    }

    public static byte[] Serialize(CurrentBuilderRecord current)
    {
        var writer = new GoJsonWriter();
        writer.BeginObject();
        writer.PropertyName("Key");
        writer.String(current.Key);
        writer.PropertyName("Name");
        writer.String(current.Name);
        writer.PropertyName("Global");
        writer.Boolean(current.Global);
        writer.EndObject();
        return writer.ToArray();
    }

    public static NodeGroup DeserializeNodeGroup(ReadOnlyMemory<byte> json, string source) =>
        Parse(json, source, ReadNodeGroup);

    public static CurrentBuilderRecord DeserializeCurrent(ReadOnlyMemory<byte> json, string source) =>
        Parse(json, source, ReadCurrent);

    public static NodeGroup ReadNodeGroup(JsonElement element)
    {
        var group = new NodeGroup();
        foreach (var property in Properties(element, "NodeGroup"))
        {
            switch (Match(property.Name, NodeGroupFields))
            {
                case "Name":
                    group.Name = ReadString(property.Value, group.Name, "NodeGroup.Name");
                    break;
                case "Driver":
                    group.Driver = ReadString(property.Value, group.Driver, "NodeGroup.Driver");
                    break;
                case "Nodes":
                    group.Nodes = ReadList(property.Value, ReadNode, "NodeGroup.Nodes");
                    break;
                case "Dynamic":
                    group.Dynamic = ReadBoolean(property.Value, group.Dynamic, "NodeGroup.Dynamic");
                    break;
                default:
                    group.AdditionalFields[property.Name] = property.Value.Clone();
                    break;
            }
        }

        return group;
    }

    public static Node ReadNode(JsonElement element)
    {
        var node = new Node();
        foreach (var property in Properties(element, "Node"))
        {
            switch (Match(property.Name, NodeFields))
            {
                case "Name":
                    node.Name = ReadString(property.Value, node.Name, "Node.Name");
                    break;
                case "Endpoint":
                    node.Endpoint = ReadString(property.Value, node.Endpoint, "Node.Endpoint");
                    break;
                case "Platforms":
                    node.Platforms = ReadList(property.Value, ReadPlatform, "Node.Platforms");
                    break;
                case "DriverOpts":
                    node.DriverOpts = ReadMap(property.Value, v => ReadString(v, string.Empty, "Node.DriverOpts"), "Node.DriverOpts");
                    break;
                case "Flags":
                    node.BuildkitdFlags = ReadList(property.Value, v => ReadString(v, string.Empty, "Node.Flags"), "Node.Flags");
                    break;
                case "Files":
                    node.Files = ReadMap(property.Value, ReadBytes, "Node.Files");
                    break;
                default:
                    node.AdditionalFields[property.Name] = property.Value.Clone();
                    break;
            }
        }

        return node;
    }

    public static OciPlatform ReadPlatform(JsonElement element)
    {
        var platform = new OciPlatform();
        foreach (var property in Properties(element, "Platform"))
        {
            switch (Match(property.Name, PlatformFields))
            {
                case "architecture":
                    platform.Architecture = ReadString(property.Value, platform.Architecture, "Platform.architecture");
                    break;
                case "os":
                    platform.OS = ReadString(property.Value, platform.OS, "Platform.os");
                    break;
                case "os.version":
                    platform.OSVersion = ReadString(property.Value, platform.OSVersion, "Platform.os.version");
                    break;
                case "os.features":
                    platform.OSFeatures = ReadList(property.Value, v => ReadString(v, string.Empty, "Platform.os.features"), "Platform.os.features");
                    break;
                case "variant":
                    platform.Variant = ReadString(property.Value, platform.Variant, "Platform.variant");
                    break;
                default:
                    platform.AdditionalFields[property.Name] = property.Value.Clone();
                    break;
            }
        }

        return platform;
    }

    public static CurrentBuilderRecord ReadCurrent(JsonElement element)
    {
        string key = string.Empty, name = string.Empty;
        var global = false;
        foreach (var property in Properties(element, "current"))
        {
            switch (Match(property.Name, CurrentFields))
            {
                case "Key":
                    key = ReadString(property.Value, key, "current.Key");
                    break;
                case "Name":
                    name = ReadString(property.Value, name, "current.Name");
                    break;
                case "Global":
                    global = ReadBoolean(property.Value, global, "current.Global");
                    break;
            }
        }

        return new CurrentBuilderRecord(key, name, global);
    }

    private static void Write(GoJsonWriter writer, NodeGroup group)
    {
        writer.BeginObject();
        writer.PropertyName("Name");
        writer.String(group.Name);
        writer.PropertyName("Driver");
        writer.String(group.Driver);
        writer.PropertyName("Nodes");
        WriteList(writer, group.Nodes, n => Write(writer, n));
        writer.PropertyName("Dynamic");
        writer.Boolean(group.Dynamic);
        WriteAdditional(writer, group.AdditionalFields, NodeGroupFields);
        writer.EndObject();
    }

    private static void Write(GoJsonWriter writer, Node node)
    {
        writer.BeginObject();
        writer.PropertyName("Name");
        writer.String(node.Name);
        writer.PropertyName("Endpoint");
        writer.String(node.Endpoint);
        writer.PropertyName("Platforms");
        WriteList(writer, node.Platforms, p => Write(writer, p));
        writer.PropertyName("DriverOpts");
        WriteMap(writer, node.DriverOpts, writer.String);
        writer.PropertyName("Flags");
        WriteList(writer, node.BuildkitdFlags, writer.String);
        writer.PropertyName("Files");
        WriteMap(writer, node.Files, bytes => writer.Base64(bytes ?? []));
        WriteAdditional(writer, node.AdditionalFields, NodeFields);
        writer.EndObject();
    }

    private static void Write(GoJsonWriter writer, OciPlatform platform)
    {
        writer.BeginObject();
        writer.PropertyName("architecture");
        writer.String(platform.Architecture);
        writer.PropertyName("os");
        writer.String(platform.OS);
        if (!string.IsNullOrEmpty(platform.OSVersion))
        {
            writer.PropertyName("os.version");
            writer.String(platform.OSVersion);
        }

        if (platform.OSFeatures is { Count: > 0 })
        {
            writer.PropertyName("os.features");
            WriteList(writer, platform.OSFeatures, writer.String);
        }

        if (!string.IsNullOrEmpty(platform.Variant))
        {
            writer.PropertyName("variant");
            writer.String(platform.Variant);
        }

        WriteAdditional(writer, platform.AdditionalFields, PlatformFields);
        writer.EndObject();
    }

    private static void WriteList<T>(GoJsonWriter writer, IEnumerable<T>? items, Action<T> writeItem)
    {
        if (items is null)
        {
            writer.Null();
            return;
        }

        writer.BeginArray();
        foreach (var item in items)
        {
            writeItem(item);
        }

        writer.EndArray();
    }

    private static void WriteMap<T>(GoJsonWriter writer, IDictionary<string, T>? map, Action<T> writeValue)
    {
        if (map is null)
        {
            writer.Null();
            return;
        }

        writer.BeginObject();
        foreach (var key in map.Keys.Order(GoStringComparer.Instance))
        {
            writer.PropertyName(key);
            writeValue(map[key]);
        }

        writer.EndObject();
    }

    // After the known fields: we cannot know where a newer Go struct put them, and Go would
    // write them compactly, which GoJsonWriter.Element does.
    private static void WriteAdditional(GoJsonWriter writer, IDictionary<string, JsonElement> fields, string[] known)
    {
        foreach (var field in fields)
        {
            if (Match(field.Key, known) is null)
            {
                writer.PropertyName(field.Key);
                writer.Element(field.Value);
            }
        }
    }

    private static T Parse<T>(ReadOnlyMemory<byte> json, string source, Func<JsonElement, T> read)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return read(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw Corrupt($"{source}: {ex.Message}", source, ex);
        }
        catch (BuildxException ex) when (ex.ErrorId == ErrorIds.StoreCorrupt)
        {
            throw Corrupt($"{source}: {ex.Message}", source, ex);
        }
    }

    // Go matches a JSON key to a field exactly first, then ignoring case.
    private static string? Match(string name, string[] fields)
    {
        foreach (var field in fields)
        {
            if (string.Equals(field, name, StringComparison.Ordinal))
            {
                return field;
            }
        }

        foreach (var field in fields)
        {
            if (string.Equals(field, name, StringComparison.OrdinalIgnoreCase))
            {
                return field;
            }
        }

        return null;
    }

    private static JsonProperty[] Properties(JsonElement element, string what) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToArray(),
        JsonValueKind.Null => [], // Go leaves the zero value
        _ => throw TypeMismatch(what, "an object", element),
    };

    private static string ReadString(JsonElement value, string current, string what) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => current,
        _ => throw TypeMismatch(what, "a string", value),
    };

    private static bool ReadBoolean(JsonElement value, bool current, string what) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => current,
        _ => throw TypeMismatch(what, "a boolean", value),
    };

    // A null []byte would be written back as "" (empty), not null: Go's nil/empty distinction
    // inside Files is not kept, as buildx itself never writes a nil file.
    private static byte[] ReadBytes(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => [],
        JsonValueKind.String when value.TryGetBytesFromBase64(out var bytes) => bytes,
        _ => throw TypeMismatch("Node.Files", "base64 data", value),
    };

    private static List<T>? ReadList<T>(JsonElement value, Func<JsonElement, T> readItem, string what)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw TypeMismatch(what, "an array", value);
        }

        return value.EnumerateArray().Select(readItem).ToList();
    }

    private static Dictionary<string, T>? ReadMap<T>(JsonElement value, Func<JsonElement, T> readValue, string what)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw TypeMismatch(what, "an object", value);
        }

        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            map[property.Name] = readValue(property.Value);
        }

        return map;
    }

    private static BuildxException TypeMismatch(string what, string expected, JsonElement value) =>
        Corrupt($"{what} should be {expected}, not {value.ValueKind.ToString().ToLowerInvariant()}", what, null);

    private static BuildxException Corrupt(string message, string target, Exception? inner) =>
        new(ErrorIds.StoreCorrupt, BuildxErrorKind.InvalidOperation, message, target, inner);
}
