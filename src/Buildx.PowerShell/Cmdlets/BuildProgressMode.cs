namespace Buildx.PowerShell.Cmdlets;

/// <summary>How <c>Invoke-BuildxBuild</c> shows progress, as buildx's <c>--progress</c>.</summary>
public enum BuildProgressMode
{
    /// <summary>Progress bars, step logs to the Information stream.</summary>
    Auto,

    /// <summary>Plain lines per step and its output, shown on the host.</summary>
    Plain,

    /// <summary>Nothing but warnings and the result.</summary>
    Quiet,

    /// <summary>BuildKit's status messages as JSON lines on the Information stream.</summary>
    RawJson,
}
