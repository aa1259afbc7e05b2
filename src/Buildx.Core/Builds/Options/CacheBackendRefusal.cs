using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// The daemon's answer when it has no such cache backend ("unknown cache exporter: \"local\""): the
/// Docker Engine's embedded BuildKit, for one, exports only inline cache and imports registry and local.
/// </summary>
internal static class CacheBackendRefusal
{
    public static BuildxException? TryTranslate(string detail, Exception inner)
    {
        var export = detail.Contains("unknown cache exporter", StringComparison.Ordinal);
        if (!export && !detail.Contains("unknown cache importer", StringComparison.Ordinal))
        {
            return null;
        }

        return new BuildxException(ErrorIds.CacheExportNotSupported, BuildxErrorKind.InvalidOperation,
            $"The builder's BuildKit refused the cache {(export ? "export" : "import")}: {detail}. It offers only the cache backends it was built with (the Docker Engine's embedded BuildKit exports only type=inline); use one of those or another builder.",
            detail, inner);
    }
}
