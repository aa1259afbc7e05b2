namespace Buildx.Core.Exports;

/// <summary>What, besides the outputs and tags, decides how outputs become exporters.</summary>
public sealed record ExportPlanOptions
{
    /// <summary>The builder's driver name (<c>docker</c>, <c>docker-container</c>, ...).</summary>
    public required string Driver { get; init; }

    /// <summary>Whether a <c>dest=-</c> tarball has somewhere to go (the pipeline).</summary>
    public bool StandardOutputAvailable { get; init; }

    /// <summary><c>-Load</c>: add a <c>docker</c> output unless there is one.</summary>
    public bool Load { get; init; }

    /// <summary><c>-Push</c>: push every image output, or add one that pushes.</summary>
    public bool Push { get; init; }

    /// <summary>
    /// The docker driver's engine stores images in containerd (the snapshotter image store): only
    /// then does it take the <c>oci</c> and <c>docker</c> exporters and push directly.
    /// </summary>
    public bool EngineImageStore { get; init; }
}
