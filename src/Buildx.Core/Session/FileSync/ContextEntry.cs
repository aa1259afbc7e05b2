using Buildx.Core.BuildKit.Protocol.Fsutil;

namespace Buildx.Core.Session.FileSync;

/// <summary>One entry of a walk: the <see cref="Stat"/> to send and where its content is on disk.</summary>
internal sealed record ContextEntry(Stat Stat, string FullPath);
