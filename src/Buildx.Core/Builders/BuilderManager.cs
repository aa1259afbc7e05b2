using Buildx.Core.Docker;
using Buildx.Core.Drivers;
using Buildx.Core.Drivers.Remote;
using Buildx.Core.Errors;
using Buildx.Core.Kubernetes;
using Buildx.Core.Store;
using Buildx.Core.Transport;

namespace Buildx.Core.Builders;

/// <summary>
/// Changes builders as buildx's <c>create</c>, <c>rm</c>, <c>use</c> and <c>stop</c> do, in the store
/// shared with buildx. A change is begun (the store is locked and the change worked out and
/// checked), shown or confirmed through its plan, then committed or abandoned by disposing it.
/// </summary>
public sealed class BuilderManager(BuilderCatalog catalog, DockerContextResolver contexts, DriverFactory drivers, BuilderLoader loader, IEnvironment environment)
{
    /// <summary>How long starting a builder may take: pulling the BuildKit image is part of it.</summary>
    public static readonly TimeSpan DefaultBootstrapTimeout = TimeSpan.FromMinutes(5);

    /// <summary>BuildKit addresses buildx's remote driver accepts; such an endpoint makes buildx pick that driver.</summary>
    private static readonly string[] BuildkitSchemes = ["docker-container", "kube-pod", "npipe", "ssh", "tcp", "unix"];

    internal DriverFactory Drivers => drivers;

    internal BuilderLoader Loader => loader;

    internal BuilderStore OpenStore() => catalog.OpenStore();

    /// <summary>Works out a create (or <c>--append</c>, or a node update) under the store lock.</summary>
    /// <exception cref="BuildxException">Everything buildx's <c>create</c> refuses, plus bad driver options.</exception>
    public PendingBuilderCreation BeginCreate(CreateBuilderRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var transaction = catalog.OpenStore().BeginTransaction(cancellationToken);
        try
        {
            return PlanCreate(transaction, request);
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    /// <summary>Works out removing a stored builder and its nodes' daemons.</summary>
    public PendingBuilderRemoval BeginRemove(string name, bool keepState, bool keepDaemon, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var transaction = catalog.OpenStore().BeginTransaction(cancellationToken);
        try
        {
            var group = GetStored(transaction, name, ErrorIds.ContextBuilderNotRemovable, $"context builder cannot be removed, run `docker context rm {name}` to remove this context");
            EnsureDaemonsRemovable(group, keepDaemon);
            var definition = BuilderCatalog.FromGroup(group, group.LastActivity);
            var fileName = BuilderName.Validate(group.Name);
            var plan = new BuilderRemovalPlan
            {
                BuilderName = group.Name,
                Driver = group.Driver,
                StorePaths =
                [
                    Path.Combine(transaction.Root, "instances", fileName),
                    Path.Combine(transaction.Root, "activity", group.Name),
                    Path.Combine(transaction.Root, "refs", fileName),
                    .. CertificateDirectoryOf(transaction.Root, group),
                ],
                Nodes = definition.Nodes.Select(node => PlanNodeRemoval(definition, node, keepState, keepDaemon)).ToArray(),
            };
            return new PendingBuilderRemoval(this, transaction, plan, definition, keepState, keepDaemon);
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    /// <summary>Works out removing one node (buildx's <c>create --leave</c>) and its daemon.</summary>
    public PendingNodeRemoval BeginLeave(string builderName, string nodeName, bool keepState, bool keepDaemon, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builderName);
        ArgumentNullException.ThrowIfNull(nodeName);
        var transaction = catalog.OpenStore().BeginTransaction(cancellationToken);
        try
        {
            var group = GetStored(transaction, builderName, ErrorIds.ContextBuilderNotRemovable, $"the Docker context builder '{builderName}' has one node, which cannot be removed");

            // Checked on a copy first, so a refused leave changes nothing.
            group.Copy().Leave(nodeName);
            EnsureDaemonsRemovable(group, keepDaemon);
            var definition = BuilderCatalog.FromGroup(group, group.LastActivity);
            var node = definition.Nodes.Single(n => n.Name == nodeName);
            var plan = new NodeLeavePlan
            {
                BuilderName = group.Name,
                StorePath = Path.Combine(transaction.Root, "instances", BuilderName.Validate(group.Name)),
                RefsPath = Path.Combine(transaction.Root, "refs", BuilderName.Validate(group.Name), nodeName),
                Node = PlanNodeRemoval(definition, node, keepState, keepDaemon),
            };
            return new PendingNodeRemoval(this, transaction, plan, group, definition, node, keepState, keepDaemon);
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    /// <summary>Works out <c>docker buildx use</c>: which builder becomes current for the current Docker endpoint.</summary>
    public PendingBuilderSelection BeginUse(string name, bool global, bool isDefault, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var context = contexts.ResolveCurrent();
        var transaction = catalog.OpenStore().BeginTransaction(cancellationToken);
        try
        {
            var group = BuilderName.IsValid(name) ? transaction.TryGet(name) : null;
            string selected;
            if (group is not null)
            {
                selected = group.Name;
            }
            else if (name == DockerContext.DefaultName && context.Name != DockerContext.DefaultName)
            {
                throw new BuildxException(
                    ErrorIds.ContextBuilderNotSelectable,
                    BuildxErrorKind.InvalidOperation,
                    "run `docker context use default` to switch to default context (the Docker context's builder follows the current context)",
                    name);
            }
            else if (name == DockerContext.DefaultName || name == context.Name)
            {
                // The context's own builder: clear the selection.
                selected = string.Empty;
            }
            else if (contexts.ListContextNames().Contains(name, StringComparer.Ordinal))
            {
                throw new BuildxException(
                    ErrorIds.ContextBuilderNotSelectable,
                    BuildxErrorKind.InvalidOperation,
                    $"run `docker context use {name}` to switch to context {name} (a Docker context's builder follows the current context)",
                    name);
            }
            else
            {
                throw NotFound(name);
            }

            var plan = new BuilderSelectionPlan
            {
                BuilderName = selected,
                Key = context.StoreKey,
                Global = global && selected.Length > 0,
                IsDefault = isDefault && selected.Length > 0,
                CurrentPath = Path.Combine(transaction.Root, "current"),
            };
            return new PendingBuilderSelection(transaction, plan);
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts every node that is not running (creating what the driver needs), in parallel, and
    /// returns once BuildKit answers on each, as buildx's <c>Boot</c>.
    /// </summary>
    public async Task BootstrapAsync(BuilderDefinition builder, IProgress<string>? progress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await Task.WhenAll(builder.Nodes.Select(node => BootstrapNodeAsync(
                builder,
                node,
                progress is not null && builder.Nodes.Count > 1 ? new PrefixedProgress(progress, node.Name + ": ") : progress,
                deadline.Token))).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new BuildxException(
                ErrorIds.BootstrapTimeout,
                BuildxErrorKind.OperationTimeout,
                $"Starting builder '{builder.Name}' took longer than {timeout.TotalSeconds:0.#} s.",
                builder.Name,
                ex);
        }
    }

    /// <summary>Stops every node's daemon, as buildx's <c>stop</c>; only drivers that run one do anything.</summary>
    public async Task StopAsync(BuilderDefinition builder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        await Task.WhenAll(builder.Nodes.Select(async node =>
        {
            using var driver = drivers.Create(builder, node);
            await driver.StopAsync(cancellationToken).ConfigureAwait(false);
        })).ConfigureAwait(false);
    }

    internal static BuildxException NotFound(string name) => new(
        ErrorIds.BuilderNotFound,
        BuildxErrorKind.ObjectNotFound,
        $"No builder named '{name}'. Get-BuildxBuilder lists the builders there are.",
        name);

    private async Task BootstrapNodeAsync(BuilderDefinition builder, NodeDefinition node, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        using var driver = drivers.Create(builder, node);
        if (await driver.GetStatusAsync(cancellationToken).ConfigureAwait(false) != NodeStatus.Running)
        {
            await driver.BootstrapAsync(progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A driver this version cannot drive cannot remove its daemons either (a kubernetes builder's
    /// deployments, say): rather than orphan them, only <c>-KeepDaemon</c> removes such a builder.
    /// </summary>
    private static void EnsureDaemonsRemovable(NodeGroup group, bool keepDaemon)
    {
        if (!keepDaemon && group.Nodes is { Count: > 0 } && KnownDrivers.Find(group.Driver) is { IsImplemented: false } driver)
        {
            throw new BuildxException(
                ErrorIds.DriverNotSupported,
                BuildxErrorKind.NotImplemented,
                $"The builder '{group.Name}' uses the {driver.Name} driver, which this version of the module cannot drive, so it cannot remove the builder's daemons. Give -KeepDaemon to remove it from the store only, or remove it with docker buildx rm.",
                group.Name);
        }
    }

    /// <summary>A stored builder by name; a Docker context's builder is the given error, anything else BuilderNotFound.</summary>
    private NodeGroup GetStored(BuilderStoreTransaction transaction, string name, string contextErrorId, string contextMessage)
    {
        if (BuilderName.IsValid(name) && transaction.TryGet(name) is { } group)
        {
            return group;
        }

        if (contexts.ListContextNames().Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            throw new BuildxException(contextErrorId, BuildxErrorKind.InvalidOperation, contextMessage, name);
        }

        throw NotFound(name);
    }

    private NodeRemovalPlan PlanNodeRemoval(BuilderDefinition builder, NodeDefinition node, bool keepState, bool keepDaemon)
    {
        try
        {
            using var driver = drivers.Create(builder, node);
            if (driver is DockerContainerDriver container)
            {
                return new NodeRemovalPlan
                {
                    Name = node.Name,
                    Endpoint = node.Endpoint,
                    ContainerName = container.ContainerName,
                    StateVolumeName = container.StateVolumeName,
                    RemovesContainer = !keepDaemon,
                    RemovesStateVolume = !keepDaemon && !keepState,
                };
            }

            if (driver is KubernetesDriver kubernetes)
            {
                var objects = kubernetes.Objects;
                return new NodeRemovalPlan
                {
                    Name = node.Name,
                    Endpoint = node.Endpoint,
                    KubernetesObjects = objects.Describe(),
                    KubernetesManifest = keepDaemon ? null : objects.ToYaml(),
                    RemovesContainer = !keepDaemon,
                };
            }
        }
        catch (BuildxException ex)
        {
            return new NodeRemovalPlan { Name = node.Name, Endpoint = node.Endpoint, Problem = ex.Message };
        }

        return new NodeRemovalPlan { Name = node.Name, Endpoint = node.Endpoint };
    }

    private PendingBuilderCreation PlanCreate(BuilderStoreTransaction transaction, CreateBuilderRequest request)
    {
        if (request.Append && string.IsNullOrEmpty(request.Name))
        {
            throw new BuildxException(ErrorIds.InvalidBuilderName, BuildxErrorKind.InvalidArgument, "append requires a builder name", null);
        }

        var name = string.IsNullOrEmpty(request.Name) ? transaction.GenerateName() : request.Name;
        BuilderName.EnsureCreatable(name);
        if (!request.Append && contexts.ListContextNames().Contains(name, StringComparer.Ordinal))
        {
            throw new BuildxException(ErrorIds.BuilderNameIsContext, BuildxErrorKind.InvalidArgument, $"instance name \"{name}\" already exists as context builder", name);
        }

        var existing = transaction.TryGet(name);
        if (existing is null && request.Append)
        {
            throw new BuildxException(ErrorIds.BuilderNotFound, BuildxErrorKind.ObjectNotFound, $"failed to find instance \"{name}\" for append", name);
        }

        var driverChosen = request.Driver is null && existing is null;
        var driver = KnownDrivers.Get(request.Driver ?? existing?.Driver ?? DefaultDriver(request.Endpoint));
        existing?.EnsureCanModify(request.NodeName, request.Append, driver.Name);
        if (!driver.AllowsInstances)
        {
            throw new BuildxException(ErrorIds.DriverDoesNotAllowInstances, BuildxErrorKind.InvalidArgument, $"additional instances of driver \"{driver.Name}\" cannot be created", driver.Name);
        }

        if (driverChosen && !driver.IsImplemented)
        {
            throw new BuildxException(
                ErrorIds.DriverNotSupported,
                BuildxErrorKind.NotImplemented,
                $"No driver was given, and {(request.Endpoint is null ? "BUILDKIT_HOST is set" : $"the endpoint '{request.Endpoint}' is a BuildKit address")}, so buildx would pick the {driver.Name} driver, which this version of the module cannot drive yet. Give -Driver {DockerContainerDriver.DriverName} to run BuildKit in a container on a Docker engine.",
                driver.Name);
        }

        driver.EnsureImplemented();
        var isRemote = driver.Name == RemoteDriver.DriverName;
        EnsureRemoteSettings(request, isRemote);
        // Certificate objects complete the TLS options below, so the options are checked once they are in.
        var completedLater = request.CaCertificate is not null || request.ClientCertificate is not null;
        var options = request.DriverOptions is null ? null : driver.Normalize(request.DriverOptions, validate: !completedLater);

        // As buildx: the remote driver takes no config file, so the default one is not picked either.
        var configPath = isRemote ? null : request.BuildkitdConfigPath ?? DefaultConfigPath(transaction.Root);
        var configFiles = configPath is null ? null : BuildkitdConfigFile.Load(configPath);
        var flags = BuildkitdFlags.Resolve(request.BuildkitdFlags, driver.Name, options, BuildkitdConfigFile.AllowsNetworkHost(configFiles));
        var currentKey = contexts.ResolveCurrent().StoreKey;
        var isKubernetes = driver.Name == KubernetesDriver.DriverName;
        if (!isKubernetes && (request.KubeConfig is not null || request.KubeContext is not null))
        {
            throw new BuildxException(ErrorIds.InvalidEndpoint, BuildxErrorKind.InvalidArgument, $"-KubeConfig and -KubeContext only apply to the {KubernetesDriver.DriverName} driver, not {driver.Name}.", driver.Name);
        }

        if (isKubernetes && request.Endpoint is not null)
        {
            throw new BuildxException(ErrorIds.InvalidEndpoint, BuildxErrorKind.InvalidArgument, $"The {KubernetesDriver.DriverName} driver takes no -Endpoint; give -KubeConfig and -KubeContext to choose the cluster.", request.Endpoint);
        }

        var kubernetesEndpointGiven = isKubernetes && (request.KubeConfig is not null || request.KubeContext is not null);
        var updatesNode = existing?.FindNode(request.NodeName) >= 0;
        var endpoint = isKubernetes
            ? KubernetesEndpoint.Create(name, request.KubeConfig ?? NullIfEmpty(environment.GetVariable("KUBECONFIG")), request.KubeContext).ToString()
            : isRemote ? ResolveRemoteEndpoint(request.Endpoint, updatesNode)
            : request.Endpoint is null ? currentKey : ResolveEndpoint(request.Endpoint);

        var group = existing?.Copy() ?? new NodeGroup { Name = name, Driver = driver.Name };
        var updatedIndex = existing?.FindNode(request.NodeName) ?? -1;
        group.Update(new NodeUpdate
        {
            NodeName = request.NodeName,
            Endpoint = endpoint ?? string.Empty,
            EndpointIsExplicit = endpoint is not null && (request.Endpoint is not null || isRemote || kubernetesEndpointGiven),
            Platforms = request.Platforms,
            Append = request.Append,
            BuildkitdFlags = flags,
            ConfigFiles = configFiles,
            DriverOptions = options,
        });
        var node = updatedIndex >= 0 ? group.Nodes![updatedIndex] : group.Nodes![^1];
        var files = isRemote ? AddCertificateFiles(request, transaction.Root, group, node) : [];
        var nodeOptions = node.DriverOpts is null ? new Dictionary<string, string>() : new Dictionary<string, string>(node.DriverOpts, StringComparer.Ordinal);
        driver.Validate(nodeOptions);
        string? warning = null;
        if (isRemote)
        {
            var remoteOptions = RemoteDriverOptions.Parse(nodeOptions);
            EnsureCertificateFilesExist(remoteOptions, files);
            warning = RemoteDriver.PlaintextTcpWarning(RemoteEndpoint.Parse(node.Endpoint), remoteOptions);
        }

        var container = driver.Name == DockerContainerDriver.DriverName ? DockerContainerDriverOptions.Parse(nodeOptions) : null;
        var (kubernetesObjects, kubernetesProblem) = isKubernetes ? PlanKubernetesObjects(group, node.Name) : (null, null);
        var plan = new BuilderChangePlan
        {
            Kind = existing is null ? BuilderChangeKind.CreateBuilder : updatedIndex >= 0 ? BuilderChangeKind.UpdateNode : BuilderChangeKind.AppendNode,
            BuilderName = group.Name,
            Driver = driver.Name,
            StorePath = Path.Combine(transaction.Root, "instances", BuilderName.Validate(group.Name)),
            CurrentKey = currentKey,
            Warnings = warning is null ? [] : [warning],
            FilesWritten = files.Select(f => f.Path).ToArray(),
            Use = request.Use,
            Bootstrap = request.Bootstrap,
            Node = new NodePlan
            {
                Name = node.Name,
                Endpoint = node.Endpoint,
                Platforms = (node.Platforms ?? []).Select(PlatformSpecifier.Format).ToArray(),
                DriverOptions = new SortedDictionary<string, string>(nodeOptions, StringComparer.Ordinal),
                BuildkitdFlags = node.BuildkitdFlags?.ToArray() ?? [],
                ConfigFiles = node.Files?.Keys.Order(StringComparer.Ordinal).ToArray() ?? [],
                ContainerName = container is null ? null : DockerContainerDriver.ContainerNamePrefix + node.Name,
                StateVolumeName = container is null ? null : DockerContainerDriver.ContainerNamePrefix + node.Name + DockerContainerDriver.StateVolumeSuffix,
                Image = container?.Image,
                KubernetesObjects = kubernetesObjects?.Describe() ?? [],
                KubernetesManifest = kubernetesObjects?.ToYaml(),
                KubernetesProblem = kubernetesProblem,
            },
        };
        return new PendingBuilderCreation(this, transaction, plan, group, existing, files);
    }

    /// <summary>The objects a kubernetes node will have; reading the kubeconfig (for the namespace) is all it does.</summary>
    private (KubernetesObjects? Objects, string? Problem) PlanKubernetesObjects(NodeGroup group, string nodeName)
    {
        var definition = BuilderCatalog.FromGroup(group, null);
        try
        {
            using var driver = (KubernetesDriver)drivers.Create(definition, definition.Nodes.Single(n => n.Name == nodeName));
            return (driver.Objects, null);
        }
        catch (BuildxException ex) when (ex.ErrorId == ErrorIds.KubeconfigInvalid)
        {
            // buildx stores such a builder too; starting it reports the kubeconfig.
            return (null, ex.Message);
        }
    }

    /// <summary>buildx's choice when no driver is given: remote for a BuildKit address (or BUILDKIT_HOST), else docker-container.</summary>
    private string DefaultDriver(string? endpoint)
    {
        if (endpoint is null)
        {
            return string.IsNullOrEmpty(environment.GetVariable("BUILDKIT_HOST")) ? DockerContainerDriver.DriverName : KnownDrivers.RemoteName;
        }

        var schemeEnd = endpoint.IndexOf("://", StringComparison.Ordinal);
        return schemeEnd > 0 && BuildkitSchemes.Contains(endpoint[..schemeEnd], StringComparer.Ordinal)
            ? KnownDrivers.RemoteName
            : DockerContainerDriver.DriverName;
    }

    /// <summary>
    /// A remote node's endpoint: the one given, else <c>BUILDKIT_HOST</c>, as buildx; an update of an
    /// existing node may keep its endpoint. Checked as a BuildKit address.
    /// </summary>
    private string? ResolveRemoteEndpoint(string? given, bool updatesNode)
    {
        var endpoint = given ?? NullIfEmpty(environment.GetVariable("BUILDKIT_HOST"));
        if (endpoint is null)
        {
            return updatesNode
                ? null
                : throw new BuildxException(
                    ErrorIds.RemoteEndpointRequired,
                    BuildxErrorKind.InvalidArgument,
                    $"no remote endpoint provided: the remote driver needs the BuildKit daemon's address as -Endpoint (or in BUILDKIT_HOST). Accepted: {RemoteEndpoint.AcceptedForms}.",
                    null);
        }

        var parsed = RemoteEndpoint.Parse(endpoint);
        if (parsed.Kind == RemoteEndpointKind.Ssh)
        {
            throw DriverFactory.SshNotSupported(parsed);
        }

        return endpoint;
    }

    /// <summary>The PEM files this module wrote for a remote builder's certificate objects, if any.</summary>
    private static string[] CertificateDirectoryOf(string storeRoot, NodeGroup group)
    {
        var directory = Path.Combine(storeRoot, RemoteCertificateFiles.DirectoryName, group.Name.ToLowerInvariant());
        return group.Driver == RemoteDriver.DriverName && Directory.Exists(directory) ? [directory] : [];
    }

    /// <summary>As buildx, remote nodes take no buildkitd flags or config; certificate objects are for remote nodes only.</summary>
    private static void EnsureRemoteSettings(CreateBuilderRequest request, bool isRemote)
    {
        if (isRemote && request.BuildkitdFlags is { Count: > 0 })
        {
            throw new BuildxException(ErrorIds.RemoteDriverSettingNotSupported, BuildxErrorKind.InvalidArgument,
                "buildkitd flags are not supported by the remote driver: the daemon already runs with its own flags. Leave out -BuildkitdFlag.", null);
        }

        if (isRemote && request.BuildkitdConfigPath is not null)
        {
            throw new BuildxException(ErrorIds.RemoteDriverSettingNotSupported, BuildxErrorKind.InvalidArgument,
                "setting config file is not supported for remote driver: the daemon already runs with its own configuration. Leave out -BuildkitdConfig.", request.BuildkitdConfigPath);
        }

        if (!isRemote && (request.CaCertificate is not null || request.ClientCertificate is not null))
        {
            throw new BuildxException(ErrorIds.RemoteDriverSettingNotSupported, BuildxErrorKind.InvalidArgument,
                "TLS certificates apply to the remote driver only (a BuildKit daemon reached over TCP or a socket). Give -Driver remote with a BuildKit -Endpoint, or leave out -CACertificate and -ClientCertificate.", null);
        }
    }

    /// <summary>Certificate objects become PEM files under the store, named by cacert, cert and key.</summary>
    private static List<PendingFile> AddCertificateFiles(CreateBuilderRequest request, string storeRoot, NodeGroup group, Node node)
    {
        var files = new List<PendingFile>();
        if (request.CaCertificate is null && request.ClientCertificate is null)
        {
            return files;
        }

        var directory = RemoteCertificateFiles.DirectoryFor(storeRoot, group.Name, node.Name);
        var options = new SortedDictionary<string, string>(node.DriverOpts ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var given = request.DriverOptions?.Select(o => o.Key).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        if (request.CaCertificate is { } authority)
        {
            EnsureNotGivenTwice(given, RemoteDriverOptions.CaCertKey, "-CACertificate");
            var file = RemoteCertificateFiles.Authority(directory, authority);
            options[RemoteDriverOptions.CaCertKey] = file.Path;
            files.Add(file);
        }

        if (request.ClientCertificate is { } client)
        {
            EnsureNotGivenTwice(given, RemoteDriverOptions.CertKey, "-ClientCertificate");
            EnsureNotGivenTwice(given, RemoteDriverOptions.KeyKey, "-ClientCertificate");
            var pair = RemoteCertificateFiles.Client(directory, client);
            options[RemoteDriverOptions.CertKey] = pair[0].Path;
            options[RemoteDriverOptions.KeyKey] = pair[1].Path;
            files.AddRange(pair);
        }

        node.DriverOpts = options;
        return files;
    }

    private static void EnsureNotGivenTwice(HashSet<string> given, string key, string parameter)
    {
        if (given.Contains(key))
        {
            throw new BuildxException(ErrorIds.InvalidDriverOption, BuildxErrorKind.InvalidArgument,
                $"The remote driver option '{key}' was given both as a driver option and through {parameter}; give it one way.", key);
        }
    }

    /// <summary>TLS files named by path must exist now, rather than make every later command fail.</summary>
    private static void EnsureCertificateFilesExist(RemoteDriverOptions options, List<PendingFile> written)
    {
        foreach (var (key, path) in new[] { (RemoteDriverOptions.CaCertKey, options.CaCertPath), (RemoteDriverOptions.CertKey, options.CertPath), (RemoteDriverOptions.KeyKey, options.KeyPath) })
        {
            if (path is not null && !File.Exists(path) && !written.Any(f => f.Path == path))
            {
                throw new BuildxException(ErrorIds.TlsFileUnreadable, BuildxErrorKind.ObjectNotFound,
                    $"The remote driver option '{key}' names '{path}', which does not exist. Give the full path of an existing PEM file.", path);
            }
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>A Docker context name stays a name (<c>default</c> becomes its host); anything else must be a docker host URL.</summary>
    private string ResolveEndpoint(string endpoint)
    {
        if (contexts.ListContextNames().Contains(endpoint, StringComparer.Ordinal))
        {
            return endpoint == DockerContext.DefaultName
                ? contexts.Resolve(DockerContext.DefaultName, "the -Endpoint parameter").Host.Original
                : endpoint;
        }

        Endpoint.Parse(endpoint, ErrorIds.InvalidEndpoint);
        return endpoint;
    }

    private static string? DefaultConfigPath(string storeRoot)
    {
        var path = Path.Combine(storeRoot, BuildkitdConfigFile.DefaultFileName);
        return File.Exists(path) ? path : null;
    }
}
