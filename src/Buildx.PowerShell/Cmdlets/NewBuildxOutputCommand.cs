using System.Collections;
using System.Globalization;
using System.Management.Automation;
using Buildx.Core.Errors;
using Buildx.Core.Exports;
using Buildx.PowerShell.Completers;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Creates a checked exporter spec for <c>Invoke-BuildxBuild -Output</c>, with a typed parameter for
/// every attribute of the image, registry, local, tar, oci, docker and cacheonly exporters.
/// </summary>
[Cmdlet(VerbsCommon.New, "BuildxOutput")]
[OutputType(typeof(ExportSpec))]
public sealed class NewBuildxOutputCommand : BuildxCmdlet
{
    // Switch parameter → exporter attribute; -X:$false sends false.
    private static readonly (string Parameter, string Attribute)[] Flags =
    [
        (nameof(Push), "push"),
        (nameof(PushByDigest), "push-by-digest"),
        (nameof(Insecure), "registry.insecure"),
        (nameof(NameCanonical), "name-canonical"),
        (nameof(ForceCompression), "force-compression"),
        (nameof(OciMediaTypes), "oci-mediatypes"),
        (nameof(BuildInfo), "buildinfo"),
        (nameof(BuildInfoAttributes), "buildinfo-attrs"),
        (nameof(Unpack), "unpack"),
        (nameof(Store), "store"),
        (nameof(Tar), "tar"),
        (nameof(PlatformSplit), "platform-split"),
    ];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(OutputTypeCompleter))]
    [ValidateNotNullOrEmpty]
    public string Type { get; set; } = string.Empty;

    /// <summary>local: a directory; tar, oci, docker: a file, or - for the pipeline.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Dest", "Path")]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter]
    public SwitchParameter Push { get; set; }

    [Parameter]
    public SwitchParameter PushByDigest { get; set; }

    /// <summary>registry.insecure: push to a registry over plain HTTP or with an untrusted certificate.</summary>
    [Parameter]
    public SwitchParameter Insecure { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DanglingNamePrefix { get; set; }

    [Parameter]
    public SwitchParameter NameCanonical { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(CompressionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Compression { get; set; }

    [Parameter]
    public int? CompressionLevel { get; set; }

    [Parameter]
    public SwitchParameter ForceCompression { get; set; }

    [Parameter]
    public SwitchParameter OciMediaTypes { get; set; }

    [Parameter]
    public SwitchParameter BuildInfo { get; set; }

    [Parameter]
    public SwitchParameter BuildInfoAttributes { get; set; }

    [Parameter]
    public SwitchParameter Unpack { get; set; }

    [Parameter]
    public SwitchParameter Store { get; set; }

    /// <summary>oci and docker: false writes an OCI layout directory instead of a tarball.</summary>
    [Parameter]
    public SwitchParameter Tar { get; set; }

    [Parameter]
    public SwitchParameter PlatformSplit { get; set; }

    /// <summary>Annotations: keys as buildx's --annotation takes them, <c>[level[,level]:]key</c>.</summary>
    [Parameter]
    public Hashtable? Annotation { get; set; }

    /// <summary>Any other exporter attribute, checked like the typed ones.</summary>
    [Parameter]
    public Hashtable? Attribute { get; set; }

    protected override void ProcessRecord()
    {
        var spec = Invoke(Create);
        WriteObject(spec);
    }

    private ExportSpec Create()
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Attribute is not null)
        {
            foreach (DictionaryEntry entry in Attribute)
            {
                attributes[(entry.Key.ToString() ?? string.Empty).Trim().ToLowerInvariant()] = Text(entry.Value);
            }
        }

        if (Name is not null)
        {
            attributes["name"] = string.Join(',', Name);
        }

        if (DanglingNamePrefix is not null)
        {
            attributes["dangling-name-prefix"] = DanglingNamePrefix;
        }

        if (Compression is not null)
        {
            attributes["compression"] = Compression.ToLowerInvariant();
        }

        if (CompressionLevel is { } level)
        {
            attributes["compression-level"] = level.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (parameter, attribute) in Flags)
        {
            if (MyInvocation.BoundParameters.TryGetValue(parameter, out var value))
            {
                attributes[attribute] = ((SwitchParameter)value).IsPresent ? "true" : "false";
            }
        }

        if (Annotation is not null)
        {
            foreach (DictionaryEntry entry in Annotation)
            {
                foreach (var annotation in Buildx.Core.Builds.Options.AnnotationSpec.Create(entry.Key.ToString() ?? string.Empty, Text(entry.Value)))
                {
                    attributes[annotation.AttributeKey] = annotation.Value;
                }
            }
        }

        var type = Type.Trim().ToLowerInvariant();
        if (!ExportSpec.KnownTypes.Contains(type))
        {
            throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.InvalidArgument,
                $"The output type '{Type}' is not known; give one of {string.Join(", ", ExportSpec.KnownTypes)}.", Type);
        }

        var destination = Destination is null or ExportSpec.StandardOutput ? Destination : GetUnresolvedProviderPathFromPSPath(Destination);
        var spec = new ExportSpec(type, destination, attributes);
        // Checked now, so a bad spec fails where it is written rather than at build time.
        ExportAttributeRules.Normalize(spec);
        if (type == ExportSpec.Local && destination is null)
        {
            throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.InvalidArgument,
                $"Invalid output '{spec}': the local exporter needs a destination directory; give -Destination <dir>.", spec.ToString());
        }

        return spec;
    }

    private static string Text(object? value) => (value is PSObject wrapped ? wrapped.BaseObject : value) switch
    {
        null => string.Empty,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString() ?? string.Empty,
    };
}
