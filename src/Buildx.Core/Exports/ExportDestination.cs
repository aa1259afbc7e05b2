namespace Buildx.Core.Exports;

/// <summary>Where an exporter's result lands on the client.</summary>
public enum ExportDestinationKind
{
    /// <summary>Nothing comes back to the client (the image stays in the daemon or the engine).</summary>
    None,

    /// <summary>A directory tree (the <c>local</c> exporter).</summary>
    Directory,

    /// <summary>A tarball file.</summary>
    File,

    /// <summary>A tarball written to a caller-provided stream (<c>dest=-</c>).</summary>
    Stream,

    /// <summary>An OCI layout directory (<c>tar=false</c>): the tarball the daemon sends is unpacked into it.</summary>
    LayoutDirectory,

    /// <summary>A docker-archive tarball piped into the Docker engine's image load (<c>type=docker</c> without dest).</summary>
    EngineLoad,
}

/// <summary>One exporter as it goes into the Solve request, and where its output goes.</summary>
public sealed record PlannedExport(string Type, IReadOnlyDictionary<string, string> Attributes, ExportDestinationKind DestinationKind, string? Path)
{
    /// <summary>The output as the caller asked for it (before aliases and driver rewrites), for messages and results.</summary>
    public string Requested { get; init; } = Type;

    /// <summary>The image names given to the exporter (<c>name=</c>, comma list).</summary>
    public IReadOnlyList<string> Names => Attributes.TryGetValue("name", out var names)
        ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        : [];

    /// <summary>True when the exporter is asked to push its image.</summary>
    public bool Pushes => ExportAttributeRules.GetBool(Attributes, "push", false);
}
