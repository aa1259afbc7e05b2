namespace Buildx.Core.Errors;

/// <summary>
/// A failure the user can act on. <see cref="ErrorId"/> is stable: scripts and tests match on it.
/// <see cref="Target"/> is the thing that was wrong (an endpoint, a builder name, an option key).
/// </summary>
public class BuildxException : Exception
{
    public BuildxException(string errorId, BuildxErrorKind kind, string message, object? target = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }

    public BuildxErrorKind Kind { get; }

    public object? Target { get; }
}
