namespace Buildx.Core.Store;

/// <summary>The store's directories, created with mode 0700 as buildx's <c>MkdirAll(…, 0700)</c>.</summary>
internal static class StoreDirectories
{
    public const string Instances = "instances";
    public const string Defaults = "defaults";
    public const string Activity = "activity";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void Create(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnly);
        }
    }
}
