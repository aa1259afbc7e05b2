namespace Buildx.Core.Exports;

/// <summary>
/// One requested output, as buildx's <c>--output</c> describes it: an exporter type, where the
/// result goes (never sent to BuildKit), and the exporter's attributes.
/// </summary>
public sealed record ExportSpec(string Type, string? Destination, IReadOnlyDictionary<string, string> Attributes)
{
    public const string Local = "local";
    public const string Tar = "tar";
    public const string CacheOnly = "cacheonly";
    public const string Image = "image";
    public const string Registry = "registry";
    public const string Oci = "oci";
    public const string Docker = "docker";
    public const string Moby = "moby";

    /// <summary>The destination that means the standard output (or the pipeline).</summary>
    public const string StandardOutput = "-";

    public static IReadOnlyList<string> KnownTypes { get; } = [Image, Registry, Local, Tar, Oci, Docker, CacheOnly];

    public override string ToString() =>
        string.Join(',', new[] { $"type={Type}" }
            .Concat(Destination is null ? [] : [$"dest={Destination}"])
            .Concat(Attributes.Select(a => $"{a.Key}={a.Value}")));
}
