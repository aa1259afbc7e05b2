namespace Buildx.Core.Session.Grpc;

/// <summary>The request metadata of a call and a token that fires when the peer cancels it.</summary>
public sealed class GrpcCallContext(string method, IReadOnlyList<KeyValuePair<string, string>> requestHeaders, CancellationToken callCancelled)
{
    public string Method { get; } = method;

    /// <summary>Request headers with lower-case names, in the order they arrived.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; } = requestHeaders;

    public CancellationToken CallCancelled { get; } = callCancelled;

    /// <summary>Every value of a header (metadata keys may repeat, as BuildKit's followpaths do).</summary>
    public IReadOnlyList<string> GetValues(string name) =>
        RequestHeaders.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToArray();

    public string? GetValue(string name) => GetValues(name) is { Count: > 0 } values ? values[0] : null;
}
