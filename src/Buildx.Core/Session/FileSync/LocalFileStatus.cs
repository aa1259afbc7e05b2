using Buildx.Core.Session;
namespace Buildx.Core.Session.FileSync;

/// <summary>What <c>lstat</c> says about one entry, already in the wire's terms.</summary>
/// <param name="Mode">Go <see cref="GoFileMode"/> bits.</param>
/// <param name="Size">Bytes; for a symlink, the length of its target.</param>
/// <param name="ModTimeNanoseconds">Modification time in nanoseconds since the Unix epoch.</param>
/// <param name="DeviceMajor">For block and character devices.</param>
/// <param name="DeviceMinor">For block and character devices.</param>
/// <param name="FileId">Identity of the inode (0 when unknown), to spot hard links.</param>
/// <param name="LinkCount">Number of hard links (1 when unknown).</param>
internal readonly record struct LocalFileStatus(
    uint Mode,
    long Size,
    long ModTimeNanoseconds,
    long DeviceMajor,
    long DeviceMinor,
    (ulong Device, ulong Inode) FileId,
    uint LinkCount)
{
    public bool IsDirectory => GoFileMode.IsDirectory(Mode);

    public bool IsSymlink => GoFileMode.IsSymlink(Mode);
}
