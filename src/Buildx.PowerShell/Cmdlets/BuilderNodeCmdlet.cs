using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using Buildx.Core.Builders;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// The node settings New-BuildxBuilder and Add-BuildxBuilderNode share (buildx's create flags):
/// endpoint, driver options, platforms, daemon flags and config, kubeconfig, the remote driver's
/// TLS settings, bootstrap and its timeout.
/// </summary>
public abstract class BuilderNodeCmdlet : BuildxCmdlet
{
    /// <summary>Hashtables (<c>@{ image = 'x'; memory = '1g' }</c>) or buildx CSV strings (<c>'image=x,memory=1g'</c>).</summary>
    [Parameter]
    [ValidateNotNull]
    public object[]? DriverOption { get; set; }

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
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = BuilderLoader.DefaultTimeout;

    /// <summary>The request with this cmdlet's node settings filled in and the TLS parameters applied.</summary>
    private protected CreateBuilderRequest WithNodeSettings(CreateBuilderRequest request) => RemoteTlsParameters.Apply(
        this,
        request with
        {
            Endpoint = Endpoint,
            KubeConfig = KubeConfig is null ? null : GetUnresolvedProviderPathFromPSPath(KubeConfig),
            KubeContext = KubeContext,
            Platforms = Platform,
            DriverOptions = ParseDriverOptions(DriverOption),
            BuildkitdFlags = BuildkitdFlag,
            BuildkitdConfigPath = BuildkitdConfig is null ? null : GetUnresolvedProviderPathFromPSPath(BuildkitdConfig),
            Bootstrap = Bootstrap.IsPresent,
        },
        CACertificate,
        Certificate,
        Key,
        ClientCertificate,
        ServerName);
}
