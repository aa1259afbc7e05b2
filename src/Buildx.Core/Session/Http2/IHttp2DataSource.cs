using System.Buffers;

namespace Buildx.Core.Session.Http2;

/// <summary>
/// A payload that knows its size and can write itself: the connection lets it serialize straight into
/// DATA frames in the output buffer when the flow-control windows allow, instead of copying it there.
/// </summary>
internal interface IHttp2DataSource
{
    int Length { get; }

    /// <summary>Writes exactly <see cref="Length"/> bytes.</summary>
    void WriteTo(IBufferWriter<byte> destination);
}
