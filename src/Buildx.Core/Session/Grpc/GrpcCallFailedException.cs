using Grpc.Core;

namespace Buildx.Core.Session.Grpc;

/// <summary>A call this client made ended with a gRPC status other than OK; to a stream's reader, an I/O failure.</summary>
public sealed class GrpcCallFailedException : IOException
{
    public GrpcCallFailedException(string call, StatusCode statusCode, string detail)
        : base($"{call} failed with gRPC status {statusCode} ({(int)statusCode}){(detail.Length > 0 ? ": " + detail : string.Empty)}")
    {
        StatusCode = statusCode;
        Detail = detail;
    }

    public StatusCode StatusCode { get; }

    public string Detail { get; }
}
