using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using Buildx.Core.Builders;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>Adds a node to a builder, like <c>docker buildx create --append</c>.</summary>
[Cmdlet(VerbsCommon.Add, "BuildxBuilderNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Builder))]
public sealed class AddBuildxBuilderNodeCommand : BuildxCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Node { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Endpoint { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string[]? Platform { get; set; }

    [Parameter]
    [ValidateNotNull]
    public object[]? DriverOption { get; set; }

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

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var request = Invoke(() => RemoteTlsParameters.Apply(
            this,
            new CreateBuilderRequest
            {
                Name = Name,
                Append = true,
                NodeName = Node,
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
            ServerName));
        var builder = CreateOrChange(request, Timeout);
        if (builder is not null && PassThru)
        {
            WriteObject(builder);
        }
    }
}
