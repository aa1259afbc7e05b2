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
}

/// <summary>One exporter as it goes into the Solve request, and where its output goes.</summary>
public sealed record PlannedExport(string Type, IReadOnlyDictionary<string, string> Attributes, ExportDestinationKind DestinationKind, string? Path);
