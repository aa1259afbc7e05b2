using Buildx.Core.Session.Grpc;
using Buildx.Core.Session.Secrets;
using Buildx.Core.Session.Ssh;

namespace Buildx.Core.Builds.Options;

/// <summary>The session services the options need: Secrets when secrets are given, SSH when forwarding is.</summary>
public sealed class BuildOptionsServices
{
    private BuildOptionsServices(SecretsService? secrets, SshForwardService? ssh)
    {
        Secrets = secrets;
        Ssh = ssh;
    }

    public SecretsService? Secrets { get; }

    public SshForwardService? Ssh { get; }

    /// <summary>Creates the services; SSH agents are checked here, before anything is sent.</summary>
    public static async Task<BuildOptionsServices> CreateAsync(BuildOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var secrets = options.Secrets.Count > 0 ? new SecretsService(options.Secrets) : null;
        var ssh = options.Ssh.Count > 0 ? await SshForwardService.CreateAsync(options.Ssh, cancellationToken).ConfigureAwait(false) : null;
        return new BuildOptionsServices(secrets, ssh);
    }

    public void Register(GrpcServiceRegistry registry)
    {
        Secrets?.Register(registry);
        Ssh?.Register(registry);
    }
}
