namespace Buildx.Core.Session.FileSend;

/// <summary>
/// Creates a directory and its missing parents, remembering which it created, so that a failed
/// export can take them away again and leave nothing behind.
/// </summary>
internal sealed class CreatedDirectories
{
    private readonly List<string> created = [];

    private CreatedDirectories()
    {
    }

    /// <summary>Creates <paramref name="path"/> and missing parents with <paramref name="mode"/> (Unix; BuildKit uses 0700 for local exports, buildx 0755 for tarball parents).</summary>
    public static CreatedDirectories Ensure(string path, UnixFileMode mode)
    {
        var result = new CreatedDirectories();
        var missing = new Stack<string>();
        for (var current = path; current is not null && FileSystemEntry.Probe(current) == FileSystemEntryType.Missing; current = Path.GetDirectoryName(current))
        {
            missing.Push(current);
        }

        foreach (var directory in missing)
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, mode);
            }

            result.created.Add(directory);
        }

        return result;
    }

    /// <summary>Removes the directories this created, deepest first, where they are empty (another stream may be using them).</summary>
    public void RemoveIfEmpty()
    {
        for (var i = created.Count - 1; i >= 0; i--)
        {
            try
            {
                Directory.Delete(created[i], recursive: false);
            }
            catch (IOException)
            {
                return;
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }
}
