using Buildx.Core.BuildKit.Protocol.Secrets;
using Buildx.Core.Builds.Options;
using Buildx.Core.Session.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Buildx.Core.Session.Secrets;

/// <summary>
/// <c>moby.buildkit.secrets.v1.Secrets/GetSecret</c>: answers the daemon's request for a secret
/// mounted by <c>RUN --mount=type=secret</c>, reading the file or environment variable only then.
/// Unknown ids answer NotFound, as BuildKit expects. Secret bytes are never logged.
/// </summary>
public sealed class SecretsService
{
    public const string GetSecretMethod = "/moby.buildkit.secrets.v1.Secrets/GetSecret";

    private readonly Dictionary<string, SecretSpec> secrets;
    private readonly Func<string, string?> environment;

    public SecretsService(IEnumerable<SecretSpec> secrets, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        this.secrets = secrets.ToDictionary(s => s.Id, StringComparer.Ordinal);
        this.environment = environment ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>Ids the daemon asked for, in order: tests and diagnostics check which secrets were used.</summary>
    public IReadOnlyList<string> RequestedIds => requested.ToArray();

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> requested = new();

    public void Register(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddUnary<GetSecretRequest, GetSecretResponse>(GetSecretMethod, GetSecretRequest.Parser, (request, _) => GetSecretAsync(request));
    }

    internal async Task<GetSecretResponse> GetSecretAsync(GetSecretRequest request)
    {
        requested.Enqueue(request.ID);
        if (!secrets.TryGetValue(request.ID, out var secret))
        {
            throw new GrpcStatusException(StatusCode.NotFound, $"secret {request.ID} not found");
        }

        byte[] data;
        switch (secret.Kind)
        {
            case SecretSourceKind.File:
                try
                {
                    data = await File.ReadAllBytesAsync(secret.Source!).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new GrpcStatusException(StatusCode.NotFound, $"secret {request.ID}: the file could not be read ({ex.GetType().Name})");
                }

                break;
            case SecretSourceKind.Environment:
                var value = environment(secret.Source!) ?? throw new GrpcStatusException(StatusCode.NotFound, $"secret {request.ID}: environment variable {secret.Source} is not set");
                data = System.Text.Encoding.UTF8.GetBytes(value);
                break;
            default:
                data = secret.CopyValue();
                break;
        }

        try
        {
            return new GetSecretResponse { Data = ByteString.CopyFrom(data) };
        }
        finally
        {
            Array.Clear(data);
        }
    }
}
