namespace Buildx.Core.Session.Http2;

/// <summary>The peer's SETTINGS a connection acts on; null where the frame did not set them.</summary>
internal readonly record struct Http2PeerSettings(int? HeaderTableSize, int? InitialWindowSize, int? MaxFrameSize);
