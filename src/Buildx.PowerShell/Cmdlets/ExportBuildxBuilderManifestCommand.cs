using System.Management.Automation;
using System.Text;
using Buildx.Core.Kubernetes;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Writes the Kubernetes objects a kubernetes builder's nodes have (ConfigMaps, the Deployment or
/// StatefulSet) as a YAML manifest, for people who apply manifests through GitOps. Without
/// <c>-Path</c> the YAML is the output; with it, the file is written (and returned).
/// </summary>
[Cmdlet(VerbsData.Export, "BuildxBuilderManifest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = "Text")]
[OutputType(typeof(string), ParameterSetName = ["Text"])]
[OutputType(typeof(FileInfo), ParameterSetName = ["File"])]
public sealed class ExportBuildxBuilderManifestCommand : BuildxCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BuilderNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NodeNameCompleter))]
    public string[]? Node { get; set; }

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = "File")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Overwrites an existing file.</summary>
    [Parameter(ParameterSetName = "File")]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var builder = Invoke(() => Services.Catalog.Get(Name));
        var yaml = Invoke(() => BuilderManifestExport.ToYaml(Services.Drivers, builder, Node));
        if (ParameterSetName != "File")
        {
            WriteObject(yaml);
            return;
        }

        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (File.Exists(path) && !Force)
        {
            ThrowTerminatingError(new ErrorRecord(
                new IOException($"The file '{path}' exists; give -Force to overwrite it."),
                Buildx.Core.Errors.ErrorIds.ManifestFileExists,
                ErrorCategory.ResourceExists,
                path));
        }

        if (ShouldProcess(path, $"Write the manifest of builder '{builder.Name}'"))
        {
            File.WriteAllText(path, yaml, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            WriteObject(new FileInfo(path));
        }
    }
}
