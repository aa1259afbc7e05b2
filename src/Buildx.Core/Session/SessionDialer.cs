namespace Buildx.Core.Session;

/// <summary>
/// Opens a session tunnel to the daemon outside gRPC, carrying the session headers as given
/// (repeated header lines for every served method). The docker driver uses the Engine API's
/// <c>POST /session</c> upgrade this way; drivers without one use <c>Control.Session</c>.
/// </summary>
public delegate Task<Stream> SessionDialer(IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken);
