using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Buildx.Core.Errors;

namespace Buildx.Core.Drivers.Remote;

/// <summary>One file a builder change writes when it is committed.</summary>
public sealed record PendingFile(string Path, byte[] Content);

/// <summary>
/// Certificates given as objects rather than paths. buildx stores only paths (<c>cacert</c>,
/// <c>cert</c>, <c>key</c>), so they are written as PEM files under the buildx directory, at
/// <c>&lt;store&gt;/certs/&lt;builder&gt;/&lt;node&gt;/ca.pem</c>, <c>cert.pem</c> and <c>key.pem</c>
/// (owner-only), and the options name those files: buildx reads them as if it had been given them.
/// </summary>
public static class RemoteCertificateFiles
{
    public const string DirectoryName = "certs";
    public const string CaFileName = "ca.pem";
    public const string CertFileName = "cert.pem";
    public const string KeyFileName = "key.pem";

    /// <summary>The directory for one node's certificates.</summary>
    public static string DirectoryFor(string storeRoot, string builderName, string nodeName) =>
        Path.Combine(storeRoot, DirectoryName, builderName.ToLowerInvariant(), nodeName);

    /// <summary>The CA as PEM (every certificate of a collection, in order).</summary>
    public static PendingFile Authority(string directory, X509Certificate2 authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        return new PendingFile(Path.Combine(directory, CaFileName), Encoding.ASCII.GetBytes(authority.ExportCertificatePem() + "\n"));
    }

    /// <summary>The client certificate and its private key (PKCS#8 PEM, which Go's <c>tls.LoadX509KeyPair</c> reads).</summary>
    public static IReadOnlyList<PendingFile> Client(string directory, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new BuildxException(
                ErrorIds.InvalidDriverOption,
                BuildxErrorKind.InvalidArgument,
                $"The client certificate '{certificate.Subject}' has no private key. Give a certificate with its key (such as one loaded from a PFX file, or X509Certificate2.CreateFromPemFile(cert, key)), or cert and key file paths.",
                certificate.Subject);
        }

        string key;
        try
        {
            key = certificate.GetRSAPrivateKey()?.ExportPkcs8PrivateKeyPem()
                ?? certificate.GetECDsaPrivateKey()?.ExportPkcs8PrivateKeyPem()
                ?? throw new CryptographicException("the key is neither RSA nor ECDSA");
        }
        catch (CryptographicException ex)
        {
            throw new BuildxException(
                ErrorIds.InvalidDriverOption,
                BuildxErrorKind.InvalidArgument,
                $"The private key of the client certificate '{certificate.Subject}' cannot be written to a PEM file: {ex.Message}. Load the certificate with X509KeyStorageFlags.Exportable, or give cert and key file paths.",
                certificate.Subject,
                ex);
        }

        return
        [
            new PendingFile(Path.Combine(directory, CertFileName), Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n")),
            new PendingFile(Path.Combine(directory, KeyFileName), Encoding.ASCII.GetBytes(key + "\n")),
        ];
    }

    /// <summary>Writes the files readable by the owner only (the key is a secret), each atomically.</summary>
    public static void Write(IEnumerable<PendingFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var file in files)
        {
            var directory = Path.GetDirectoryName(file.Path)!;
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var temporary = file.Path + ".tmp";
            using (var stream = OperatingSystem.IsWindows()
                ? new FileStream(temporary, FileMode.Create, FileAccess.Write)
                : new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
                stream.Write(file.Content);
            }

            File.Move(temporary, file.Path, overwrite: true);
        }
    }

    /// <summary>Removes written files (a rolled-back change), and their directory when it is left empty.</summary>
    public static void Delete(IEnumerable<PendingFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var file in files)
        {
            File.Delete(file.Path);
            var directory = Path.GetDirectoryName(file.Path)!;
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
    }
}
