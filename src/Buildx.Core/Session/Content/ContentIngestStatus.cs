namespace Buildx.Core.Session.Content;

/// <summary>Where one ref's ingest stands: containerd's content.Status.</summary>
internal sealed record ContentIngestStatus(string Reference, long Offset, long Total, DateTime StartedAt, DateTime UpdatedAt);
