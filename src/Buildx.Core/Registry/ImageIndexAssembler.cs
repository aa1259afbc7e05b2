using Buildx.Core.Errors;
using Buildx.Core.Store;

namespace Buildx.Core.Registry;

/// <summary>One platform's image, pushed by digest by the node that built it.</summary>
public sealed record PlatformImage(OciPlatform Platform, ImageReference Image);

/// <summary>An index written to a registry, with the manifest each platform resolved to.</summary>
public sealed record AssembledIndex(
    string Digest,
    string MediaType,
    long Size,
    IReadOnlyList<string> Tags,
    IReadOnlyList<PlatformManifestDescriptor> Manifests);

/// <summary>
/// Joins per-platform images that different nodes pushed by digest into one multi-platform
/// image, as buildx does after a multi-node build: reads each manifest (a node that built several
/// platforms pushed an index: its entries are taken over), writes an index, and points every tag
/// at it. Manifests pushed to another repository of the same registry are copied over (blobs
/// mounted) first, because a registry refuses an index whose manifests it cannot find.
/// </summary>
public sealed class ImageIndexAssembler(RegistryClient registry)
{
    public async Task<AssembledIndex> AssembleAsync(
        IReadOnlyList<PlatformImage> images,
        IReadOnlyList<ImageReference> tags,
        bool? ociMediaTypes,
        IReadOnlyDictionary<string, string>? annotations,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(tags);
        Validate(images, tags);

        // Which manifest each platform is, and where it lives now.
        var entries = new List<(PlatformManifestDescriptor Descriptor, ImageReference Source)>();
        foreach (var image in images)
        {
            var manifest = await registry.GetManifestAsync(image.Image, cancellationToken).ConfigureAwait(false);
            if (ManifestMediaTypes.IsIndex(manifest.MediaType))
            {
                entries.AddRange(ImageIndexDocument.ReadEntries(manifest.Content).Select(e => (e, image.Image)));
            }
            else
            {
                entries.Add((new PlatformManifestDescriptor(image.Platform, manifest.MediaType, manifest.Digest, manifest.Size), image.Image));
            }
        }

        var duplicate = entries.GroupBy(e => PlatformSpecifier.Format(e.Descriptor.Platform), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new BuildxException(ErrorIds.DuplicatePlatform, BuildxErrorKind.InvalidArgument,
                $"More than one image is for the platform {duplicate.Key}: an index holds one manifest per platform.", duplicate.Key);
        }

        var descriptors = entries.Select(e => e.Descriptor).ToList();
        // Unless the exporter said, an index of OCI manifests is an OCI index, as imagetools decides.
        var oci = ociMediaTypes ?? descriptors.Any(d => d.MediaType == ManifestMediaTypes.OciManifest);
        var (mediaType, content) = ImageIndexDocument.Create(descriptors, oci, annotations);
        foreach (var repository in tags.GroupBy(t => t.Repository, StringComparer.Ordinal).Select(g => g.First()))
        {
            foreach (var (descriptor, source) in entries.Where(e => e.Source.Repository != repository.Repository))
            {
                await CopyManifestAsync(source, repository, descriptor, cancellationToken).ConfigureAwait(false);
            }
        }

        string digest = RegistryClient.DigestOf(content);
        foreach (var tag in tags)
        {
            await registry.PutManifestAsync(tag, tag.Tag ?? digest, mediaType, content, cancellationToken).ConfigureAwait(false);
        }

        return new AssembledIndex(digest, mediaType, content.LongLength, tags.Select(t => t.ToString()).ToArray(), descriptors);
    }

    private static void Validate(IReadOnlyList<PlatformImage> images, IReadOnlyList<ImageReference> tags)
    {
        if (images.Count == 0)
        {
            throw new BuildxException(ErrorIds.InvalidPlatform, BuildxErrorKind.InvalidArgument, "There are no per-platform images to join into an index.", null);
        }

        if (tags.Count == 0)
        {
            throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.InvalidArgument,
                "A multi-platform image needs at least one name to push its index to: give -Tag or name=<image>.", null);
        }

        var registries = images.Select(i => i.Image.Domain).Concat(tags.Select(t => t.Domain)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (registries.Count > 1)
        {
            throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.InvalidArgument,
                $"The per-platform images and the names of the index must be on one registry; they span {string.Join(", ", registries)}.", null);
        }

        if (images.FirstOrDefault(i => i.Image.Digest is null) is { } unpinned)
        {
            throw new BuildxException(ErrorIds.InvalidImageReference, BuildxErrorKind.InvalidArgument,
                $"The image for {PlatformSpecifier.Format(unpinned.Platform)} is named by tag ({unpinned.Image}); an index must point at digests.", unpinned.Image.ToString());
        }
    }

    /// <summary>Copies one manifest (and, for a nested index, its children) with its blobs into <paramref name="target"/>.</summary>
    private async Task CopyManifestAsync(ImageReference source, ImageReference target, PlatformManifestDescriptor descriptor, CancellationToken cancellationToken)
    {
        var manifest = await registry.GetManifestAsync(source.WithDigest(descriptor.Digest), cancellationToken).ConfigureAwait(false);
        foreach (var blob in ImageIndexDocument.ReadBlobDigests(manifest.Content))
        {
            await registry.CopyBlobAsync(source, target, blob, cancellationToken).ConfigureAwait(false);
        }

        await registry.PutManifestAsync(target, manifest.Digest, manifest.MediaType, manifest.Content, cancellationToken).ConfigureAwait(false);
    }
}
