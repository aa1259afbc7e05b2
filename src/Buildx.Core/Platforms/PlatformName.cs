namespace Buildx.Core.Platforms;

/// <summary>Formats platforms the way buildx prints them: <c>os/arch[/variant]</c>.</summary>
public static class PlatformName
{
    public static string Format(string os, string architecture, string? variant)
    {
        ArgumentNullException.ThrowIfNull(os);
        ArgumentNullException.ThrowIfNull(architecture);
        var name = $"{os}/{architecture}";
        return string.IsNullOrEmpty(variant) ? name : $"{name}/{variant}";
    }
}
