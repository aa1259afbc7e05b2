using System.Formats.Tar;
using Buildx.Core.Builders;
using Buildx.Core.Docker;
using Buildx.Core.Errors;
using Buildx.Core.Transport;

namespace Buildx.Core.Drivers;

/// <summary>
/// The <c>docker-container</c> driver: BuildKit in a container named <c>buildx_buildkit_&lt;node&gt;</c>
/// on a Docker engine, with its state in the volume <c>buildx_buildkit_&lt;node&gt;_state</c>.
/// gRPC reaches it through an exec of <c>buildctl dial-stdio</c> in the container.
/// </summary>
public sealed class DockerContainerDriver : IDriver
{
    public const string DriverName = "docker-container";
    public const string ContainerNamePrefix = "buildx_buildkit_";
    public const string StateVolumeSuffix = "_state";
    public const string StateDirectory = "/var/lib/buildkit";

    /// <summary>Where config files go in the container; <c>buildkitd.toml</c> there is passed with <c>--config</c>.</summary>
    public const string ConfigDirectory = "/etc/buildkit";
    public const string ConfigFileName = "buildkitd.toml";
    private const string ConfigParentDirectory = "/etc";

    /// <summary>The cgroup parent buildx puts builders under when the engine uses cgroupfs.</summary>
    public const string DefaultCgroupParent = "/docker/buildx";

    /// <summary>buildx probes readiness 16 times, sleeping attempt × 120 ms in between (about 14 s in all).</summary>
    private const int ReadinessAttempts = 16;
    private static readonly TimeSpan ReadinessStep = TimeSpan.FromMilliseconds(120);

    /// <summary>A probe that hangs counts as a failed attempt rather than hanging the bootstrap.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    private const int LogLinesOnFailure = 40;

    private static readonly string[] ReadinessCommand = ["buildctl", "debug", "workers"];
    private static readonly string[] VersionCommand = ["buildkitd", "--version"];

    private readonly DockerEngineClient engine;
    private readonly DockerContainers containers;
    private readonly DockerImages images;
    private readonly DockerVolumes volumes;
    private readonly DockerExec exec;
    private readonly IReadOnlyList<string> buildkitdFlags;
    private readonly IReadOnlyDictionary<string, byte[]> configFiles;
    private readonly Action<string>? diagnostics;

    /// <param name="engine">The engine the container runs on; the driver owns and disposes it.</param>
    /// <param name="nodeName">The builder node's name; the container and volume names derive from it.</param>
    /// <param name="buildkitdFlags">The container's command: buildkitd's flags, as stored for the node.</param>
    /// <param name="configFiles">Files for <see cref="ConfigDirectory"/>, by relative path (such as <c>buildkitd.toml</c>), copied in when the container is created.</param>
    /// <param name="diagnostics">Gets what <c>buildctl dial-stdio</c> writes to stderr.</param>
    public DockerContainerDriver(
        DockerEngineClient engine,
        string nodeName,
        DockerContainerDriverOptions options,
        IReadOnlyList<string>? buildkitdFlags = null,
        IReadOnlyDictionary<string, byte[]>? configFiles = null,
        Action<string>? diagnostics = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        ArgumentNullException.ThrowIfNull(options);
        this.engine = engine;
        NodeName = nodeName;
        Options = options;
        this.buildkitdFlags = buildkitdFlags ?? [];
        this.configFiles = configFiles ?? new Dictionary<string, byte[]>();
        this.diagnostics = diagnostics;
        containers = new DockerContainers(engine);
        images = new DockerImages(engine);
        volumes = new DockerVolumes(engine);
        exec = new DockerExec(engine);
    }

    public string Name => DriverName;

    public string NodeName { get; }

    public DockerContainerDriverOptions Options { get; }

    public string ContainerName => ContainerNamePrefix + NodeName;

    public string StateVolumeName => ContainerName + StateVolumeSuffix;

    public string EndpointDescription => $"container {ContainerName} on the Docker engine at {engine.Context.Host}";

    /// <summary>Each dial is a new <c>buildctl dial-stdio</c> exec: one process per connection.</summary>
    public StreamDialer Dialer => DialAsync;

    /// <summary>
    /// The build session goes through <c>Control.Session</c> on an exec of its own whose connection the
    /// session's threads read and write with poll, without thread-pool hand-offs (unix engine sockets).
    /// </summary>
    public Session.SessionDialer? SessionDialer => (headers, cancellationToken) =>
        Session.ControlSessionTunnel.OpenAsync(token => ContainerDialStdio.DialAsync(exec, ContainerName, diagnostics, token, polled: true), headers, cancellationToken);

    /// <summary>inactive: no container; stopped: it exists but is not running; running.</summary>
    public async Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var container = await containers.InspectAsync(ContainerName, cancellationToken).ConfigureAwait(false);
        return container is null ? NodeStatus.Inactive : container.State.Running ? NodeStatus.Running : NodeStatus.Stopped;
    }

    /// <summary>Field 3 of <c>buildkitd --version</c> ("buildkitd github.com/moby/buildkit v0.x.y rev").</summary>
    public async Task<string?> GetVersionAsync(CancellationToken cancellationToken)
    {
        var result = await exec.RunAsync(ContainerName, VersionCommand, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new BuildxException(
                ErrorIds.BuildkitVersionUnreadable,
                BuildxErrorKind.InvalidOperation,
                $"'buildkitd --version' in container {ContainerName} exited with {result.ExitCode}{(result.Stderr.Length > 0 ? ": " + result.Stderr.Trim() : ".")}",
                ContainerName);
        }

        var fields = result.Stdout.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return fields.Length == 4
            ? fields[2]
            : throw new BuildxException(
                ErrorIds.BuildkitVersionUnreadable,
                BuildxErrorKind.ProtocolError,
                $"'buildkitd --version' in container {ContainerName} printed '{result.Stdout.Trim()}', not the expected four fields ('buildkitd <package> <version> <revision>').",
                ContainerName);
    }

    public async Task BootstrapAsync(IProgress<string>? progress, CancellationToken cancellationToken)
    {
        progress?.Report("[internal] booting buildkit");
        var existing = await containers.InspectAsync(ContainerName, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            await CreateAsync(progress, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            progress?.Report($"starting container {ContainerName}");
            await StartAsync(cancellationToken).ConfigureAwait(false);
        }

        await WaitUntilReadyAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (await GetStatusAsync(cancellationToken).ConfigureAwait(false) == NodeStatus.Running)
        {
            await containers.StopAsync(ContainerName, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// As buildx: the container goes (forced, with its anonymous volumes) unless
    /// <paramref name="keepDaemon"/>; the state volume goes too unless <paramref name="keepState"/>.
    /// A node without a container has nothing to remove.
    /// </summary>
    public async Task RemoveAsync(bool keepState, bool keepDaemon, CancellationToken cancellationToken)
    {
        if (keepDaemon)
        {
            return;
        }

        var container = await containers.InspectAsync(ContainerName, cancellationToken).ConfigureAwait(false);
        if (container is null)
        {
            return;
        }

        await containers.RemoveAsync(ContainerName, removeAnonymousVolumes: true, force: true, cancellationToken).ConfigureAwait(false);
        if (!keepState && container.Mounts.Any(mount => mount.Name == StateVolumeName))
        {
            await volumes.RemoveAsync(StateVolumeName, force: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the state volume exists (it outlives the container with <c>-KeepState</c>).</summary>
    public async Task<bool> StateVolumeExistsAsync(CancellationToken cancellationToken) =>
        await volumes.InspectAsync(StateVolumeName, cancellationToken).ConfigureAwait(false) is not null;

    public void Dispose() => engine.Dispose();

    /// <summary>The create request, from the options, the flags and what the engine reports about itself.</summary>
    internal ContainerSpec BuildSpec(string image, EngineInfo engineInfo)
    {
        var binds = new List<string>();
        IReadOnlyList<string>? capAdd = null, capDrop = null, securityOpt = null;
        if (!Options.Privileged)
        {
            // What a privileged container gives BuildKit, minus what restricted hosts refuse.
            capAdd = ["ALL"];
            capDrop = ["SYS_RESOURCE"];
            securityOpt = ["seccomp=unconfined", "apparmor=unconfined"];
            binds.Add("/sys/fs/cgroup:/sys/fs/cgroup:rw");
        }

        binds.AddRange(Options.ExtraBinds);
        var cgroupfs = string.Equals(engineInfo.CgroupDriver, "cgroupfs", StringComparison.Ordinal);
        return new ContainerSpec
        {
            Image = image,
            Cmd = configFiles.ContainsKey(ConfigFileName)
                ? ["--config", $"{ConfigDirectory}/{ConfigFileName}", .. buildkitdFlags]
                : buildkitdFlags,
            Env = Options.Environment.Count > 0 ? Options.Environment : null,
            HostConfig = new ContainerHostConfig
            {
                Privileged = Options.Privileged,
                Init = true,
                RestartPolicy = Options.RestartPolicy,
                Mounts = [ContainerMount.Volume(StateVolumeName, StateDirectory)],
                Binds = binds.Count > 0 ? binds : null,
                NetworkMode = Options.Network,
                Memory = Options.Memory,
                MemorySwap = Options.MemorySwap,
                CpuQuota = Options.CpuQuota,
                CpuPeriod = Options.CpuPeriod,
                CpuShares = Options.CpuShares,
                CpusetCpus = Options.CpusetCpus,
                CpusetMems = Options.CpusetMems,

                // Under systemd the engine places cgroups itself, and buildx leaves it alone.
                CgroupParent = cgroupfs ? Options.CgroupParent ?? DefaultCgroupParent : null,
                UsernsMode = engineInfo.HasUsernsRemap ? "host" : null,
                CapAdd = capAdd,
                CapDrop = capDrop,
                SecurityOpt = securityOpt,
            },
        };
    }

    private async Task CreateAsync(IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var image = await EnsureImageAsync(progress, cancellationToken).ConfigureAwait(false);
        var engineInfo = await engine.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        progress?.Report($"creating container {ContainerName}");
        try
        {
            await containers.CreateAsync(ContainerName, BuildSpec(image, engineInfo), cancellationToken).ConfigureAwait(false);
        }
        catch (BuildxException ex) when (ex.ErrorId == ErrorIds.ContainerNameConflict)
        {
            // Another bootstrap created it first (buildx tolerates this too): wait for that one.
            return;
        }

        if (configFiles.Count > 0)
        {
            using var archive = ConfigArchive();
            await containers.CopyToAsync(ContainerName, ConfigParentDirectory, archive, cancellationToken).ConfigureAwait(false);
        }

        await StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pulls the image as buildx does, and falls back to a local copy when the pull fails (no
    /// registry, no credentials). Only when neither exists is it an error.
    /// </summary>
    private async Task<string> EnsureImageAsync(IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var image = Options.Image;
        progress?.Report($"pulling image {image}");
        BuildxException? pullError = null;
        try
        {
            await images.PullAsync(image, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (BuildxException ex) when (ex.ErrorId == ErrorIds.ImagePullFailed)
        {
            pullError = ex;
        }

        if (await images.InspectAsync(image, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new BuildxException(
                ErrorIds.BuildkitImageUnavailable,
                BuildxErrorKind.ResourceUnavailable,
                $"Cannot create {ContainerName}: the BuildKit image '{image}' is not present on the Docker engine at {engine.Context.Host}, and "
                + (pullError is null ? "it was still missing after a pull that reported success." : $"pulling it failed ({pullError.Message}).")
                + $" Load or pull the image into that engine, or name another with the driver option {DockerContainerDriverOptions.ImageKey}=<reference>.",
                image,
                pullError);
        }

        if (pullError is not null)
        {
            progress?.Report($"using local image {image}");
        }

        return image;
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await containers.StartAsync(ContainerName, cancellationToken).ConfigureAwait(false);
        }
        catch (BuildxException ex) when (ex.ErrorId == ErrorIds.EngineCallFailed)
        {
            var hint = Options.Privileged && ex.Message.Contains("operation not permitted", StringComparison.OrdinalIgnoreCase)
                ? $" This host may not allow privileged containers; the driver option {DockerContainerDriverOptions.PrivilegedKey}=false runs BuildKit unprivileged (see about_Buildx)."
                : string.Empty;
            var reason = ex.Message.TrimEnd();
            throw new BuildxException(
                ErrorIds.BuildkitBootstrapFailed,
                BuildxErrorKind.InvalidOperation,
                $"Cannot start {ContainerName}: {reason}{(reason.EndsWith('.') ? string.Empty : ".")}{hint}",
                ContainerName,
                ex);
        }
    }

    /// <summary>
    /// Probes with <c>buildctl debug workers</c> until it exits 0, as buildx does. On failure the
    /// container's last log lines go to progress and into the error.
    /// </summary>
    private async Task WaitUntilReadyAsync(IProgress<string>? progress, CancellationToken cancellationToken)
    {
        string lastFailure = "was not run";
        Exception? lastError = null;
        for (var attempt = 1; ; attempt++)
        {
            using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            probeTimeout.CancelAfter(ProbeTimeout);
            try
            {
                var result = await exec.RunAsync(ContainerName, ReadinessCommand, probeTimeout.Token).ConfigureAwait(false);
                if (result.ExitCode == 0)
                {
                    return;
                }

                lastFailure = $"exited with {result.ExitCode}{(result.Stderr.Length > 0 ? ": " + result.Stderr.Trim() : string.Empty)}";
                lastError = null;
            }
            catch (BuildxException ex) when (ex.ErrorId is ErrorIds.ContainerNotRunning or ErrorIds.ExecFailed)
            {
                lastFailure = $"could not run: {ex.Message}";
                lastError = ex;
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                lastFailure = $"did not finish within {ProbeTimeout.TotalSeconds:0} s";
                lastError = ex;
            }

            if (attempt >= ReadinessAttempts)
            {
                break;
            }

            await Task.Delay(ReadinessStep * attempt, cancellationToken).ConfigureAwait(false);
        }

        var logs = await TryReadLogsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var line in logs)
        {
            progress?.Report(line);
        }

        throw new BuildxException(
            ErrorIds.BuildkitBootstrapFailed,
            BuildxErrorKind.OperationTimeout,
            $"BuildKit in {ContainerName} did not become ready after {ReadinessAttempts} attempts: 'buildctl debug workers' {lastFailure}"
            + (logs.Count > 0 ? $"\nLast lines of the container's log:\n{string.Join('\n', logs)}" : string.Empty),
            ContainerName,
            lastError);
    }

    private async Task<IReadOnlyList<string>> TryReadLogsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await containers.ReadLogsAsync(ContainerName, LogLinesOnFailure, cancellationToken).ConfigureAwait(false);
        }
        catch (BuildxException)
        {
            // The logs only decorate the error being raised; their absence must not replace it.
            return [];
        }
    }

    private Task<Stream> DialAsync(CancellationToken cancellationToken) =>
        ContainerDialStdio.DialAsync(exec, ContainerName, diagnostics, cancellationToken);

    /// <summary>The config files as a tar for <c>/etc</c>: <c>buildkit/…</c>, directories 0755, files 0644, as buildx writes them.</summary>
    private MemoryStream ConfigArchive()
    {
        var archive = new MemoryStream();
        using (var tar = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            const string root = "buildkit";
            var directories = new SortedSet<string>(StringComparer.Ordinal) { root };
            foreach (var path in configFiles.Keys)
            {
                var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
                for (var depth = 1; depth < parts.Length; depth++)
                {
                    directories.Add($"{root}/{string.Join('/', parts.Take(depth))}");
                }
            }

            foreach (var directory in directories)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, directory + "/") { Mode = DirectoryMode });
            }

            foreach (var (path, content) in configFiles.OrderBy(file => file.Key, StringComparer.Ordinal))
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{root}/{path.TrimStart('/')}")
                {
                    Mode = FileMode,
                    DataStream = new MemoryStream(content, writable: false),
                });
            }
        }

        archive.Position = 0;
        return archive;
    }

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
}
