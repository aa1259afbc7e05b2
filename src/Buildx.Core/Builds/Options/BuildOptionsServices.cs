using Buildx.Core.Session.Content;
using Buildx.Core.Session.Grpc;
using Buildx.Core.Session.Secrets;
using Buildx.Core.Session.Ssh;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// The session services the options need: Secrets when secrets are given, SSH when forwarding is,
/// the content store for local cache imports and oci-layout named contexts. Also holds the options as prepared for sending.
/// </summary>
public sealed class BuildOptionsServices : IDisposable
{
    private BuildOptionsServices(BuildOptions options, SecretsService? secrets, SshForwardService? ssh, LocalContentStoreService? content)
    {
        Options = options;
        Secrets = secrets;
        Ssh = ssh;
        Content = content;
    }

    /// <summary>The options to send: local cache imports and oci-layout contexts resolved to their digests and stores.</summary>
    public BuildOptions Options { get; }

    public LocalContentStoreService? Content { get; }

    public SecretsService? Secrets { get; }

    public SshForwardService? Ssh { get; }

    /// <summary>Creates the services; SSH agents are checked here, before anything is sent.</summary>
    public static async Task<BuildOptionsServices> CreateAsync(BuildOptions options, Action<string> warn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (withCaches, cacheStores) = LocalCacheImports.Prepare(options, warn);
        var (prepared, layoutStores) = OciLayoutContexts.Prepare(withCaches);
        var stores = cacheStores.Concat(layoutStores).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        var secrets = options.Secrets.Count > 0 ? new SecretsService(options.Secrets) : null;
        var ssh = options.Ssh.Count > 0 ? await SshForwardService.CreateAsync(options.Ssh, cancellationToken).ConfigureAwait(false) : null;
        return new BuildOptionsServices(prepared, secrets, ssh, stores.Count > 0 ? new LocalContentStoreService(stores) : null);
    }

    /// <summary>Releases what the services hold for the build's length (the SSH private keys).</summary>
    public void Dispose() => Ssh?.Dispose();

    public void Register(GrpcServiceRegistry registry)
    {
        Secrets?.Register(registry);
        Ssh?.Register(registry);
        Content?.Register(registry);
    }
}
