using Buildx.Core.Errors;

namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>Loads a private key file for the in-process agent, as BuildKit's ssh provider does for a non-socket path.</summary>
public static class SshKeyFile
{
    /// <summary>BuildKit reads at most this much of a key file.</summary>
    public const int MaxSize = 100 * 1024;

    /// <summary>Whether the file is a private key protected by a passphrase (false for anything else).</summary>
    public static bool IsPassphraseProtected(string path)
    {
        try
        {
            var text = Read(path);
            var block = PemBlock.Find(text);
            return block switch
            {
                null => false,
                { Label: OpenSshKeyFormat.PemLabel } => OpenSshKeyFormat.IsEncrypted(Convert.FromBase64String(block.Base64), path),
                _ => block.IsEncrypted,
            };
        }
        catch (Exception ex) when (ex is BuildxException or FormatException or IOException or UnauthorizedAccessException)
        {
            // Not a readable key: loading it reports why.
            return false;
        }
    }

    /// <summary>Reads and decodes the key; a null <paramref name="passphrase"/> means none was given.</summary>
    public static SshPrivateKey Load(string path, byte[]? passphrase)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(Read(path), passphrase, path);
    }

    internal static SshPrivateKey Parse(string text, byte[]? passphrase, string source)
    {
        var block = PemBlock.Find(text);
        if (block is null)
        {
            throw SshKeyErrors.Invalid(source, LooksLikePublicKey(text)
                ? "it is a public key; give the private key file (the one without .pub)."
                : "no -----BEGIN ... PRIVATE KEY----- block was found.");
        }

        if (block.Text.Length == 0)
        {
            throw SshKeyErrors.Invalid(source, $"the {block.Label} block has no matching END line.");
        }

        if (block.Label == OpenSshKeyFormat.PemLabel)
        {
            byte[] data;
            try
            {
                data = Convert.FromBase64String(block.Base64);
            }
            catch (FormatException ex)
            {
                throw SshKeyErrors.Invalid(source, "the OPENSSH PRIVATE KEY block is not valid base64.", ex);
            }

            return OpenSshKeyFormat.Load(data, passphrase, source);
        }

        if (PemKeyFormat.Labels.Contains(block.Label))
        {
            return PemKeyFormat.Load(block, passphrase, source);
        }

        throw SshKeyErrors.NotSupported(source, $"a PEM block labelled '{block.Label}'");
    }

    private static bool LooksLikePublicKey(string text) =>
        text.StartsWith("ssh-", StringComparison.Ordinal) || text.StartsWith("ecdsa-sha2-", StringComparison.Ordinal) || text.StartsWith("-----BEGIN PUBLIC KEY", StringComparison.Ordinal);

    private static string Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var buffer = new byte[MaxSize];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new BuildxException(ErrorIds.SshKeyInvalid, BuildxErrorKind.PermissionDenied,
                $"-Ssh key file '{path}' cannot be read: {ex.Message} Give a private key file this user can read, or an agent socket.", path, ex);
        }
        catch (IOException ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BuildxException(ErrorIds.SshAgentUnavailable, BuildxErrorKind.ObjectNotFound,
                $"-Ssh key file '{path}' does not exist. Give a private key file, the socket of a running ssh-agent, or a Windows agent pipe.", path, ex);
        }
        catch (IOException ex)
        {
            throw new BuildxException(ErrorIds.SshKeyInvalid, BuildxErrorKind.InvalidArgument,
                $"-Ssh key file '{path}' cannot be read: {ex.Message} Give a private key file or an agent socket.", path, ex);
        }
    }
}
