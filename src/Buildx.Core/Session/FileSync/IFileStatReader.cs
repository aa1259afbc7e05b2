namespace Buildx.Core.Session.FileSync;

/// <summary>Reads <c>lstat</c> information (symlinks are not followed). One instance per walk; not thread-safe.</summary>
internal interface IFileStatReader
{
    /// <summary>False when the path does not exist (or a parent is not a directory); throws for other failures.</summary>
    bool TryGetStatus(string fullPath, out LocalFileStatus status);
}
