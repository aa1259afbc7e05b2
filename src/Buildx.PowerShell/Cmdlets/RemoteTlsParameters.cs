using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using Buildx.Core.Builders;
using Buildx.Core.Drivers.Remote;
using Buildx.Core.Errors;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// The remote driver's TLS parameters of New-BuildxBuilder and Add-BuildxBuilderNode, mapped to
/// its driver options: paths resolved through PowerShell's providers become <c>cacert</c>,
/// <c>cert</c> and <c>key</c>; certificate objects are written as PEM files by the core.
/// </summary>
internal static class RemoteTlsParameters
{
    /// <summary>Adds the TLS parameters to <paramref name="request"/>, after the -DriverOption values (so they win, as later options do).</summary>
    public static CreateBuilderRequest Apply(
        PSCmdlet cmdlet,
        CreateBuilderRequest request,
        object? caCertificate,
        string? certificate,
        string? key,
        X509Certificate2? clientCertificate,
        string? serverName)
    {
        var options = new List<KeyValuePair<string, string>>(request.DriverOptions ?? []);
        X509Certificate2? authority = null;
        switch (caCertificate is PSObject wrapped ? wrapped.BaseObject : caCertificate)
        {
            case null:
                break;
            case X509Certificate2 certificateObject:
                authority = certificateObject;
                break;
            case string path:
                options.Add(new(RemoteDriverOptions.CaCertKey, Resolve(cmdlet, path)));
                break;
            case FileSystemInfo file:
                options.Add(new(RemoteDriverOptions.CaCertKey, file.FullName));
                break;
            case var other:
                throw new BuildxException(
                    ErrorIds.InvalidDriverOption,
                    BuildxErrorKind.InvalidArgument,
                    $"-CACertificate takes a path to a PEM file or an X509Certificate2, not a {other.GetType().Name}.",
                    other);
        }

        if (clientCertificate is not null && (certificate is not null || key is not null))
        {
            throw new BuildxException(
                ErrorIds.InvalidDriverOption,
                BuildxErrorKind.InvalidArgument,
                "Give the client certificate either as -ClientCertificate (an X509Certificate2 with its private key) or as -Certificate and -Key (PEM files), not both.",
                clientCertificate.Subject);
        }

        if (certificate is not null)
        {
            options.Add(new(RemoteDriverOptions.CertKey, Resolve(cmdlet, certificate)));
        }

        if (key is not null)
        {
            options.Add(new(RemoteDriverOptions.KeyKey, Resolve(cmdlet, key)));
        }

        if (serverName is not null)
        {
            options.Add(new(RemoteDriverOptions.ServerNameKey, serverName));
        }

        var anyOption = options.Count > (request.DriverOptions?.Count ?? 0);
        return request with
        {
            DriverOptions = anyOption ? options : request.DriverOptions,
            CaCertificate = authority,
            ClientCertificate = clientCertificate,
        };
    }

    /// <summary>A PowerShell path (relative, <c>~</c>, a PSDrive) as the full file-system path buildx stores.</summary>
    private static string Resolve(PSCmdlet cmdlet, string path)
    {
        var resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
        if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
        {
            throw new BuildxException(
                ErrorIds.InvalidDriverOption,
                BuildxErrorKind.InvalidArgument,
                $"'{path}' is on the {provider.Name} provider; TLS files must be files on the file system.",
                path);
        }

        return resolved;
    }
}
