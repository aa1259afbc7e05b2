using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Security.Cryptography;
using Buildx.Core.Builds;
using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;
using Buildx.Core.Exports;
using Buildx.Core.Session.Ssh.Keys;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Builds a Dockerfile on a builder, like <c>docker buildx build</c>: the context is sent
/// through the session, progress shows per step, and the result comes back as an object.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "BuildxBuild", SupportsShouldProcess = true)]
[OutputType(typeof(BuildResult))]
public sealed class InvokeBuildxBuildCommand : BuildxCmdlet
{
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = ".";

    [Parameter]
    [Alias("Dockerfile")]
    [ValidateNotNullOrEmpty]
    public string? File { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Tag { get; set; } = [];

    [Parameter]
    public Hashtable? BuildArg { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Target { get; set; }

    [Parameter]
    public Hashtable? Label { get; set; }

    [Parameter]
    public SwitchParameter NoCache { get; set; }

    /// <summary>Target platforms; on a builder with several nodes each goes to a node that can build it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string[] Platform { get; set; } = [];

    /// <summary>Outputs as hashtables (<c>@{ type='local'; dest='out' }</c>), buildx CSV strings or New-BuildxOutput objects.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[] Output { get; set; } = [];

    /// <summary>Also load the image into the Docker engine (buildx --load: a docker output).</summary>
    [Parameter]
    public SwitchParameter Load { get; set; }

    /// <summary>Push the image to its registry (buildx --push: push=true on image outputs).</summary>
    [Parameter]
    public SwitchParameter Push { get; set; }

    /// <summary>Registry logins by registry address: <c>@{ 'registry.example:5000' = (Get-Credential) }</c>.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Credential { get; set; }

    [Parameter]
    public BuildProgressMode Progress { get; set; } = BuildProgressMode.Auto;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MetadataFile { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string? Builder { get; set; }

    /// <summary>Cache sources: @{ type='registry'; ref='...' } or CSV ('type=local,src=dir'; a bare ref means type=registry).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuildOptionValueCompleter))]
    public object[] CacheFrom { get; set; } = [];

    /// <summary>Cache exports: @{ type='inline' } or CSV ('type=registry,ref=...,mode=max').</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuildOptionValueCompleter))]
    public object[] CacheTo { get; set; } = [];

    /// <summary>Secrets: @{ id='npm'; src='./npmrc' }, @{ id='tok'; env='TOKEN' }, @{ id='tok'; value=$secure } or 'id=npm,src=./npmrc'.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[] Secret { get; set; } = [];

    /// <summary>
    /// SSH forwarding: 'default', 'id=/path/agent.sock', 'id=~/.ssh/id_ed25519', or
    /// @{ id='github'; paths='~/.ssh/id_ed25519'; passphrase=$secure }. Key files are served by an in-process agent.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuildOptionValueCompleter))]
    public object[] Ssh { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[] Annotation { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuildOptionValueCompleter))]
    public string[] Attest { get; set; } = [];

    [Parameter]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(BuildOptionValueCompleter))]
    public object? Provenance { get; set; }

    [Parameter]
    [ValidateNotNull]
    public object? Sbom { get; set; }

    [Parameter]
    public BuildNetwork Network { get; set; } = BuildNetwork.Default;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[] AddHost { get; set; } = [];

    [Parameter]
    [ByteSizeTransformation]
    [ValidateRange(0, long.MaxValue)]
    public long ShmSize { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuildOptionValueCompleter))]
    public object[] Ulimit { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[] BuildContext { get; set; } = [];

    [Parameter]
    public SwitchParameter Pull { get; set; }

    /// <summary>Entitlements, as buildx's <c>--allow</c>: network.host, security.insecure, buildx.local.delete.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuildOptionValueCompleter))]
    public string[] Allow { get; set; } = [];

    protected override void ProcessRecord()
    {
        var request = Invoke(CreateRequest);
        var passphrases = request.Options.Ssh.Select(s => s.Passphrase).OfType<byte[]>().ToList();
        try
        {
            Build(request, passphrases);
        }
        finally
        {
            // Secret values and key passphrases revealed from SecureStrings live only as long as the build.
            foreach (var secret in request.Options.Secrets)
            {
                secret.ClearValue();
            }

            foreach (var passphrase in passphrases)
            {
                CryptographicOperations.ZeroMemory(passphrase);
            }
        }
    }

    /// <param name="passphrases">Collects the passphrases answered at a prompt, for clearing.</param>
    private void Build(BuildRequest request, List<byte[]> passphrases)
    {
        var builder = Invoke(() => Builder is null
            ? Services.Catalog.Current()
            : Services.Catalog.Get(Builder));
        if (!ShouldProcess($"{request.ContextPath} on builder '{builder.Name}'", "Build"))
        {
            return;
        }

        request = request with { Options = request.Options with { Ssh = request.Options.Ssh.Select(PromptForPassphrase).ToArray() } };
        passphrases.AddRange(request.Options.Ssh.Select(s => s.Passphrase).OfType<byte[]>());

        // Build events and dest=- tarball chunks arrive on BuildKit's threads, in order.
        var events = new BlockingCollection<object>();
        var writer = new BuildEventWriter(this, Progress, $"Building {request.ContextPath} on {builder.Name}");
        WriteVerbose($"Building '{request.ContextPath}' on builder '{builder.Name}' ({builder.Driver} driver).");
        request = request with { StandardOutput = new PipelineChunkStream(chunk => Post(events, chunk)) };
        var build = Services.Builds.RunAsync(builder, request, e => Post(events, e), Progress == BuildProgressMode.RawJson, CancellationToken);
        _ = build.ContinueWith(_ => events.CompleteAdding(), TaskScheduler.Default);

        // Events arrive on BuildKit's threads; PowerShell's streams may only be written here.
        var streamed = false;
        foreach (var item in events.GetConsumingEnumerable())
        {
            if (item is byte[] chunk)
            {
                // A dest=- tarball: each chunk goes down the pipeline whole, not byte by byte.
                WriteObject(chunk, enumerateCollection: false);
                streamed = true;
            }
            else
            {
                writer.Write((BuildEvent)item);
            }
        }

        writer.Complete();
        var result = Await(build);
        if (MetadataFile is not null)
        {
            BuildMetadataFile.Write(GetUnresolvedProviderPathFromPSPath(MetadataFile), result);
        }

        // With a tarball on the pipeline, the pipeline carries only its bytes (as buildx's stdout
        // does); the result is still written to -MetadataFile.
        if (!streamed && !result.Exports.Any(e => e.Output.Contains("dest=-", StringComparison.Ordinal)))
        {
            WriteObject(result);
        }
        else
        {
            WriteVerbose($"The build's result object is not written to the pipeline because a tarball was ({string.Join(", ", result.Exports.Select(e => e.Exporter))}).");
        }
    }

    /// <summary>
    /// An -Ssh entry whose key files are passphrase-protected and that carries no passphrase: ask
    /// through the host, as ssh-add does, when someone can answer. A host that cannot prompt
    /// (-NonInteractive, or pwsh's console host reading redirected input, where a prompt would eat
    /// the piped lines) leaves it to the build's SshKeyPassphraseRequired error.
    /// </summary>
    private SshSpec PromptForPassphrase(SshSpec spec)
    {
        if (spec.Passphrase is not null || (Host.Name == "ConsoleHost" && Console.IsInputRedirected))
        {
            return spec;
        }

        var locked = spec.Paths.Where(SshKeyFile.IsPassphraseProtected).ToArray();
        if (locked.Length == 0)
        {
            return spec;
        }

        var field = new FieldDescription("Passphrase");
        field.SetParameterType(typeof(SecureString));
        try
        {
            var answer = Host.UI.Prompt($"-Ssh '{spec.Id}'", $"Enter the passphrase for {string.Join(", ", locked)}", [field]);
            return answer.TryGetValue("Passphrase", out var value) && value?.BaseObject is SecureString secure
                ? spec with { Passphrase = BuildOptionsBinder.Reveal(secure) }
                : spec;
        }
        catch (Exception ex) when (ex is PSInvalidOperationException or HostException or NotImplementedException)
        {
            return spec;
        }
    }

    /// <summary>Late status messages may arrive after the build ended; they are dropped.</summary>
    private static void Post(BlockingCollection<object> events, object buildEvent)
    {
        try
        {
            events.Add(buildEvent);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private BuildRequest CreateRequest() => new()
    {
        ContextPath = GetUnresolvedProviderPathFromPSPath(Path),
        WorkingDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath,
        DockerfilePath = File is null ? null : GetUnresolvedProviderPathFromPSPath(File),
        Target = Target,
        Tags = Tag,
        BuildArgs = ToStringMap(BuildArg, nameof(BuildArg)),
        Labels = ToStringMap(Label, nameof(Label)),
        NoCache = NoCache.IsPresent,
        Platforms = Platform.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
        Outputs = Output.Select(ToExportSpec).ToArray(),
        Load = Load.IsPresent,
        Push = Push.IsPresent,
        RegistryCredentials = RegistryLogins.From(Credential),
        Options = new BuildOptionsBinder(GetUnresolvedProviderPathFromPSPath)
        {
            CacheFrom = CacheFrom,
            CacheTo = CacheTo,
            Secret = Secret,
            Ssh = Ssh,
            Annotation = Annotation,
            Attest = Attest,
            Provenance = Provenance,
            Sbom = Sbom,
            Network = Network,
            AddHost = AddHost,
            ShmSize = ShmSize,
            Ulimit = Ulimit,
            BuildContext = BuildContext,
            Pull = Pull.IsPresent,
            Allow = Allow,
        }.Bind(),
    };

    private ExportSpec ToExportSpec(object output)
    {
        var value = output is PSObject wrapped ? wrapped.BaseObject : output;
        switch (value)
        {
            case string text:
                var spec = ExportSpecParser.ParseCsv(text);
                return ResolveDestination(spec);
            case IDictionary map:
                var pairs = map.Keys.Cast<object>().Select(k => new KeyValuePair<string, object?>(k.ToString() ?? string.Empty, Unwrap(map[k])));
                return ResolveDestination(ExportSpecParser.FromPairs(pairs, null));
            case ExportSpec typed:
                return ResolveDestination(typed);
            default:
                throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.InvalidArgument,
                    $"An output of type {value?.GetType().Name ?? "null"} is not accepted. Give a hashtable such as @{{ type='local'; dest='out' }} or a CSV string such as 'type=tar,dest=out.tar'.", value);
        }
    }

    /// <summary>Destinations are PowerShell paths: relative to the current location, through providers.</summary>
    private ExportSpec ResolveDestination(ExportSpec spec) =>
        spec.Destination is null or ExportSpec.StandardOutput ? spec : spec with { Destination = GetUnresolvedProviderPathFromPSPath(spec.Destination) };

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    private static Dictionary<string, string> ToStringMap(Hashtable? table, string parameter)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (table is null)
        {
            return map;
        }

        foreach (DictionaryEntry entry in table)
        {
            var key = entry.Key.ToString();
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new BuildxException(ErrorIds.InvalidBuildArgument, BuildxErrorKind.InvalidArgument,
                    $"-{parameter} has an empty key. Give pairs such as @{{ VERSION = '1.2' }}.", parameter);
            }

            map[key] = Unwrap(entry.Value)?.ToString() ?? string.Empty;
        }

        return map;
    }
}
