using Grpc.Core;

namespace Buildx.Core.Session.Grpc;

/// <summary>Thrown by a handler to end its call with a gRPC status other than OK.</summary>
public sealed class GrpcStatusException(StatusCode statusCode, string detail) : Exception(detail)
{
    public StatusCode StatusCode { get; } = statusCode;

    public string Detail { get; } = detail;
}
