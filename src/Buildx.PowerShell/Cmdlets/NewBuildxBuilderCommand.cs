using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using Buildx.Core.Builders;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Creates a builder in the store shared with buildx, like <c>docker buildx create</c>: a random
/// name when none is given, the driver's options checked before anything is written, and with
/// <c>-Node</c> on an existing builder, that node's settings changed.
/// </summary>
[Cmdlet(VerbsCommon.New, "BuildxBuilder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Builder))]
public sealed class NewBuildxBuilderCommand : BuildxCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DriverNameCompleter))]
    public string? Driver { get; set; }

    /// <summary>Hashtables (<c>@{ image = 'x'; memory = '1g' }</c>) or buildx CSV strings (<c>'image=x,memory=1g'</c>).</summary>
    [Parameter]
    [ValidateNotNull]
    public object[]? DriverOption { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Node { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string[]? Platform { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Endpoint { get; set; }

    /// <summary>kubernetes driver: the kubeconfig file; KUBECONFIG (else ~/.kube/config) when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubeConfig { get; set; }

    /// <summary>kubernetes driver: the kubeconfig context; its current context when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KubeContextCompleter))]
    public string? KubeContext { get; set; }

    [Parameter]
    [ValidateNotNull]
    public string[]? BuildkitdFlag { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BuildkitdConfig { get; set; }

    /// <summary>Remote driver: the CA that signed the daemon's certificate, as a PEM file path or an X509Certificate2 (driver option cacert).</summary>
    [Parameter]
    [ValidateNotNull]
    [Alias("CACert")]
    public object? CACertificate { get; set; }

    /// <summary>Remote driver: the client certificate's PEM file (driver option cert).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Certificate { get; set; }

    /// <summary>Remote driver: the client certificate's private key PEM file (driver option key).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Key { get; set; }

    /// <summary>Remote driver: the client certificate with its private key, written as PEM files under the buildx directory.</summary>
    [Parameter]
    [ValidateNotNull]
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Remote driver: the name the daemon's certificate must carry (driver option servername).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ServerName { get; set; }

    [Parameter]
    public SwitchParameter Bootstrap { get; set; }

    [Parameter]
    public SwitchParameter Use { get; set; }

    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = BuilderLoader.DefaultTimeout;

    protected override void ProcessRecord()
    {
        var request = Invoke(() => RemoteTlsParameters.Apply(
            this,
            new CreateBuilderRequest
            {
                Name = Name,
                Driver = Driver,
                DriverOptions = ParseDriverOptions(DriverOption),
                NodeName = Node,
                Platforms = Platform,
                Endpoint = Endpoint,
                KubeConfig = KubeConfig is null ? null : GetUnresolvedProviderPathFromPSPath(KubeConfig),
                KubeContext = KubeContext,
                BuildkitdFlags = BuildkitdFlag,
                BuildkitdConfigPath = BuildkitdConfig is null ? null : GetUnresolvedProviderPathFromPSPath(BuildkitdConfig),
                Use = Use.IsPresent,
                Bootstrap = Bootstrap.IsPresent,
            },
            CACertificate,
            Certificate,
            Key,
            ClientCertificate,
            ServerName));
        var builder = CreateOrChange(request, Timeout);
        if (builder is not null)
        {
            WriteObject(builder);
        }
    }
}
