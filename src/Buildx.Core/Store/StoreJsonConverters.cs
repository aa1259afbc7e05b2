using System.Text.Json;
using System.Text.Json.Serialization;

namespace Buildx.Core.Store;

// System.Text.Json entry points for the store's types. They read and write through StoreJson,
// so JsonSerializer produces exactly the bytes buildx writes, wherever the types are serialized.

internal sealed class NodeGroupJsonConverter : JsonConverter<NodeGroup>
{
    public override NodeGroup Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return StoreJson.ReadNodeGroup(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, NodeGroup value, JsonSerializerOptions options) =>
        writer.WriteRawValue(StoreJson.Serialize(value), skipInputValidation: true);
}

internal sealed class NodeJsonConverter : JsonConverter<Node>
{
    public override Node Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return StoreJson.ReadNode(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, Node value, JsonSerializerOptions options) =>
        writer.WriteRawValue(StoreJson.Serialize(value), skipInputValidation: true);
}

internal sealed class OciPlatformJsonConverter : JsonConverter<OciPlatform>
{
    public override OciPlatform Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return StoreJson.ReadPlatform(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, OciPlatform value, JsonSerializerOptions options) =>
        writer.WriteRawValue(StoreJson.Serialize(value), skipInputValidation: true);
}

internal sealed class CurrentBuilderRecordJsonConverter : JsonConverter<CurrentBuilderRecord>
{
    public override CurrentBuilderRecord Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return StoreJson.ReadCurrent(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, CurrentBuilderRecord value, JsonSerializerOptions options) =>
        writer.WriteRawValue(StoreJson.Serialize(value), skipInputValidation: true);
}
