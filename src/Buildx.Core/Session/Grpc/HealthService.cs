using HealthProtocol = Buildx.Core.BuildKit.Protocol.Health;

namespace Buildx.Core.Session.Grpc;

/// <summary>
/// grpc.health.v1.Health/Check, always SERVING. The daemon polls it every 5 s and drops the session
/// after two failures, so every session registers it.
/// </summary>
public static class HealthService
{
    public const string CheckMethod = "/grpc.health.v1.Health/Check";

    private static readonly Task<HealthProtocol.HealthCheckResponse> Serving = Task.FromResult(
        new HealthProtocol.HealthCheckResponse { Status = HealthProtocol.HealthCheckResponse.Types.ServingStatus.Serving });

    public static void Register(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddUnary<HealthProtocol.HealthCheckRequest, HealthProtocol.HealthCheckResponse>(
            CheckMethod,
            HealthProtocol.HealthCheckRequest.Parser,
            static (_, _) => Serving);
    }
}
