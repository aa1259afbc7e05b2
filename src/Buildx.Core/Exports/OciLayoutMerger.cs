using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Buildx.Core.Errors;
using Buildx.Core.Registry;
using Buildx.Core.Store;

namespace Buildx.Core.Exports;

/// <summary>One node's <c>oci</c> export of a multi-node build: the tarball and the platforms in it.</summary>
public sealed record OciLayoutPart(string TarballPath, IReadOnlyList<string> Platforms);

/// <summary>
/// Joins the OCI tarballs that several nodes exported (one per node) into one OCI image layout
/// whose image index lists every platform, as BuildKit's oci exporter lays out a multi-platform
/// image: blobs under <c>blobs/sha256</c>, the index as a blob, and <c>index.json</c> pointing at
/// it with the image name annotations. Written as a tarball or, with <c>tar=false</c>, as a
/// directory; either appears only when complete. Entries are checked: only layout paths are
/// accepted and every blob must match its digest.
/// </summary>
public static class OciLayoutMerger
{
    private const string BlobPrefix = "blobs/sha256/";

    public static async Task MergeAsync(IReadOnlyList<OciLayoutPart> parts, string? imageName, OciLayoutDestination destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(destination);
        var work = Path.Combine(Path.GetTempPath(), "buildx-oci-" + Guid.NewGuid().ToString("N"));
        var layout = Path.Combine(work, "layout");
        Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256"));
        try
        {
            var manifests = new List<PlatformManifestDescriptor>();
            foreach (var part in parts)
            {
                var index = await ExtractAsync(part.TarballPath, layout, cancellationToken).ConfigureAwait(false);
                manifests.AddRange(PlatformManifests(index, part, layout));
            }

            var (indexMediaType, indexContent) = ImageIndexDocument.Create(manifests, ociMediaTypes: true);
            var indexDigest = RegistryClient.DigestOf(indexContent);
            await File.WriteAllBytesAsync(BlobPath(layout, indexDigest), indexContent, cancellationToken).ConfigureAwait(false);
            await File.WriteAllBytesAsync(Path.Combine(layout, "index.json"), TopIndex(indexMediaType, indexDigest, indexContent.LongLength, imageName), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", cancellationToken).ConfigureAwait(false);
            await destination.WriteAsync(layout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Unpacks one OCI tarball as it is (its own index.json) into a layout destination, checking every entry.</summary>
    public static async Task UnpackAsync(string tarball, OciLayoutDestination destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var work = Path.Combine(Path.GetTempPath(), "buildx-oci-" + Guid.NewGuid().ToString("N"));
        var layout = Path.Combine(work, "layout");
        Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256"));
        try
        {
            var index = await ExtractAsync(tarball, layout, cancellationToken).ConfigureAwait(false);
            await File.WriteAllBytesAsync(Path.Combine(layout, "index.json"), index, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", cancellationToken).ConfigureAwait(false);
            await destination.WriteAsync(layout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Unpacks one node's tarball: blobs into the shared layout (checked against their digests), its index.json returned.</summary>
    private static async Task<byte[]> ExtractAsync(string tarball, string layout, CancellationToken cancellationToken)
    {
        byte[]? index = null;
        await using var file = File.OpenRead(tarball);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            // manifest.json and repositories are the docker-archive view BuildKit adds beside the
            // layout (its oci exporter writes them too); a layout directory has no use for them.
            if (entry.EntryType is TarEntryType.Directory || name is "oci-layout" or "manifest.json" or "repositories" or "" or "blobs" or "blobs/" or "blobs/sha256" or "blobs/sha256/")
            {
                continue;
            }

            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
            {
                throw Invalid(tarball, $"the entry '{name}' is a {entry.EntryType}; an OCI layout holds only files");
            }

            if (name == "index.json")
            {
                using var buffer = new MemoryStream();
                await entry.DataStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                index = buffer.ToArray();
                continue;
            }

            var hex = name.StartsWith(BlobPrefix, StringComparison.Ordinal) ? name[BlobPrefix.Length..] : string.Empty;
            if (hex.Length != 64 || !hex.All(Uri.IsHexDigit) || hex.Any(char.IsUpper))
            {
                throw Invalid(tarball, $"the entry '{name}' is not part of an OCI layout (expected oci-layout, index.json or blobs/sha256/<64 hex digits>)");
            }

            var target = BlobPath(layout, "sha256:" + hex);
            var partial = target + ".partial";
            await using (var output = File.Create(partial))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var chunk = new byte[81920];
                int read;
                while ((read = await entry.DataStream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(chunk, 0, read);
                    await output.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }

                if (!Convert.ToHexString(hash.GetHashAndReset()).Equals(hex, StringComparison.OrdinalIgnoreCase))
                {
                    throw Invalid(tarball, $"the blob '{name}' does not match its digest");
                }
            }

            // Nodes share base layers: the first copy of a blob is as good as any other.
            File.Move(partial, target, overwrite: true);
        }

        return index ?? throw Invalid(tarball, "it has no index.json");
    }

    /// <summary>The platform manifests a node's index.json points at: nested indexes are opened, single manifests take the node's platform.</summary>
    private static IEnumerable<PlatformManifestDescriptor> PlatformManifests(byte[] indexJson, OciLayoutPart part, string layout)
    {
        foreach (var entry in ImageIndexDocument.ReadEntries(indexJson))
        {
            if (ManifestMediaTypes.IsIndex(entry.MediaType))
            {
                var nested = BlobPath(layout, entry.Digest);
                if (!File.Exists(nested))
                {
                    throw Invalid(part.TarballPath, $"its index.json points at {entry.Digest}, which is not in the tarball");
                }

                foreach (var child in ImageIndexDocument.ReadEntries(File.ReadAllBytes(nested)))
                {
                    yield return child;
                }
            }
            else if (entry.Platform.OS.Length > 0)
            {
                yield return entry;
            }
            else if (part.Platforms.Count == 1)
            {
                yield return entry with { Platform = PlatformSpecifier.Normalize(PlatformSpecifier.Parse(part.Platforms[0])) };
            }
            else
            {
                throw Invalid(part.TarballPath, $"the manifest {entry.Digest} names no platform and the node built {string.Join(", ", part.Platforms)}");
            }
        }
    }

    /// <summary>index.json as BuildKit's oci exporter writes it: one descriptor, the image's name in containerd's and OCI's annotation.</summary>
    private static byte[] TopIndex(string mediaType, string digest, long size, string? imageName)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", ManifestMediaTypes.OciIndex);
            json.WriteStartArray("manifests");
            json.WriteStartObject();
            json.WriteString("mediaType", mediaType);
            json.WriteString("digest", digest);
            json.WriteNumber("size", size);
            if (!string.IsNullOrEmpty(imageName))
            {
                var reference = ImageReference.Parse(imageName);
                json.WriteStartObject("annotations");
                json.WriteString("io.containerd.image.name", reference.ToString());
                json.WriteString("org.opencontainers.image.ref.name", reference.Tag ?? "latest");
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    internal static string BlobPath(string layout, string digest) =>
        Path.Combine(layout, "blobs", "sha256", digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest["sha256:".Length..] : digest);

    private static BuildxException Invalid(string tarball, string why) => new(
        ErrorIds.ExportFailed,
        BuildxErrorKind.InvalidOperation,
        $"A node's OCI export ({tarball}) cannot be joined into the multi-platform layout: {why}.",
        tarball);
}
