namespace Buildx.Core.Registry;

/// <summary>A manifest as the registry stores it: its exact bytes, their digest and media type.</summary>
public sealed record RegistryManifest(string MediaType, string Digest, byte[] Content)
{
    public long Size => Content.LongLength;
}
