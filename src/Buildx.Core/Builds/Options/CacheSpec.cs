namespace Buildx.Core.Builds.Options;

/// <summary>One cache backend for <c>--cache-from</c> / <c>--cache-to</c>: its type and attributes, as BuildKit gets them.</summary>
public sealed record CacheSpec(string Type, IReadOnlyDictionary<string, string> Attributes)
{
    public const string Registry = "registry";
    public const string Local = "local";
    public const string Inline = "inline";

    /// <summary>The backends BuildKit knows; other types are passed through, as buildx does.</summary>
    public static IReadOnlySet<string> KnownTypes { get; } = new HashSet<string>(StringComparer.Ordinal) { Registry, Local, Inline, "gha", "s3", "azblob" };

    public override string ToString() => string.Join(',', new[] { "type=" + Type }.Concat(Attributes.Select(a => $"{a.Key}={a.Value}")));
}
