using Buildx.Core.BuildKit.Protocol.Auth;
using Buildx.Core.Errors;
using Buildx.Core.Registry;
using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.Auth;

/// <summary>
/// Serves <c>/moby.filesync.v1.Auth/Credentials</c>: BuildKit asks the session for a registry's
/// login before it pulls or pushes. Only Credentials is served: token methods (FetchToken,
/// GetTokenAuthority) answer Unimplemented, and then the daemon fetches tokens itself with this login.
/// </summary>
public sealed class AuthService(RegistryCredentialStore credentials)
{
    public const string CredentialsMethod = "/moby.filesync.v1.Auth/Credentials";

    private readonly List<string> asked = [];

    /// <summary>The hosts the daemon asked about, in order (for diagnostics and tests).</summary>
    public IReadOnlyList<string> HostsAsked
    {
        get
        {
            lock (asked)
            {
                return asked.ToArray();
            }
        }
    }

    public void Register(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddUnary<CredentialsRequest, CredentialsResponse>(CredentialsMethod, CredentialsRequest.Parser, AnswerAsync);
    }

    internal async Task<CredentialsResponse> AnswerAsync(CredentialsRequest request, GrpcCallContext context)
    {
        lock (asked)
        {
            asked.Add(request.Host);
        }

        RegistryCredential? login;
        try
        {
            login = await credentials.GetAsync(request.Host, context.CallCancelled).ConfigureAwait(false);
        }
        catch (BuildxException ex)
        {
            // The daemon shows this text in the build's error.
            throw new GrpcStatusException(StatusCode.Unavailable, ex.Message);
        }

        // An empty answer means anonymous access.
        return login is null ? new CredentialsResponse() : new CredentialsResponse { Username = login.Username, Secret = login.Secret };
    }
}
