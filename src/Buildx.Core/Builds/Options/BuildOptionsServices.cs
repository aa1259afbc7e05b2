using Buildx.Core.Session.Content;
using Buildx.Core.Session.Grpc;
using Buildx.Core.Session.Secrets;
using Buildx.Core.Session.Ssh;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// The session services the options need: Secrets when secrets are given, SSH when forwarding is,
/// and one content service for local cache imports and exports and oci-layout named contexts. Also
/// holds the options as prepared for sending.
/// </summary>
public sealed class BuildOptionsServices : IDisposable
{
    private BuildOptionsServices(BuildOptions options, SecretsService? secrets, SshForwardService? ssh, LocalContentStoreService? content, LocalCacheExports cacheExports)
    {
        Options = options;
        Secrets = secrets;
        Ssh = ssh;
        Content = content;
        CacheExports = cacheExports;
    }

    /// <summary>The options to send: local cache imports and oci-layout contexts resolved to their digests and stores.</summary>
    public BuildOptions Options { get; }

    public LocalContentStoreService? Content { get; }

    /// <summary>The type=local cache exports: their stores and the index.json update after each solve.</summary>
    public LocalCacheExports CacheExports { get; }

    public SecretsService? Secrets { get; }

    public SshForwardService? Ssh { get; }

    /// <summary>Creates the services; SSH agents are checked here, before anything is sent.</summary>
    public static async Task<BuildOptionsServices> CreateAsync(BuildOptions options, Action<string> warn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cacheExports = LocalCacheExports.Prepare(options);
        var (withCaches, cacheStores) = LocalCacheImports.Prepare(options, warn);
        var (prepared, layoutStores) = OciLayoutContexts.Prepare(withCaches);
        // One service routes every store id. An import from an export's dest reads the writable store.
        var stores = cacheStores.Concat(layoutStores)
            .Select(s => new KeyValuePair<string, LayoutContentStore>(s.Key, new LayoutContentStore(s.Value, writable: false)))
            .Concat(cacheExports.Stores)
            .ToList();
        var secrets = options.Secrets.Count > 0 ? new SecretsService(options.Secrets) : null;
        var ssh = options.Ssh.Count > 0 ? await SshForwardService.CreateAsync(options.Ssh, cancellationToken).ConfigureAwait(false) : null;
        return new BuildOptionsServices(prepared, secrets, ssh, stores.Count > 0 ? new LocalContentStoreService(stores) : null, cacheExports);
    }

    /// <summary>Releases what the services hold for the build's length (the SSH private keys).</summary>
    public void Dispose() => Ssh?.Dispose();

    /// <summary>Registers the services for one solve's session (cache export stores take writes again).</summary>
    public void Register(GrpcServiceRegistry registry)
    {
        Secrets?.Register(registry);
        Ssh?.Register(registry);
        Content?.Register(registry);
        CacheExports.BeginSolve();
    }
}
