namespace Buildx.Core.Tests.Store;

/// <summary>A test that needs util-linux <c>flock(1)</c> (Linux), the same lock call buildx makes.</summary>
internal sealed class FlockToolFactAttribute : FactAttribute
{
    public FlockToolFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || FlockTool.Path is null)
        {
            Skip = "Needs Linux with util-linux flock(1) on PATH.";
        }
    }
}

internal static class FlockTool
{
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(directory => System.IO.Path.Combine(directory, "flock"))
        .FirstOrDefault(File.Exists);
}
