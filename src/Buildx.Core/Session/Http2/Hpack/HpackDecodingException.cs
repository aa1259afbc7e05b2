namespace Buildx.Core.Session.Http2.Hpack;

/// <summary>A header block that cannot be decoded; the connection answers it with COMPRESSION_ERROR.</summary>
internal sealed class HpackDecodingException(string message) : Exception(message);
