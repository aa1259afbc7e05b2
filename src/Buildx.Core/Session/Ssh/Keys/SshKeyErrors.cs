using Buildx.Core.Errors;

namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>The terminating errors of key file loading, each naming the file and what is accepted.</summary>
internal static class SshKeyErrors
{
    public const string AcceptedFormats =
        "Accepted are OpenSSH private keys (-----BEGIN OPENSSH PRIVATE KEY-----, as ssh-keygen writes them) and PEM keys: " +
        "PKCS#1 RSA (BEGIN RSA PRIVATE KEY), SEC1 EC (BEGIN EC PRIVATE KEY) and PKCS#8 (BEGIN PRIVATE KEY / BEGIN ENCRYPTED PRIVATE KEY), " +
        "holding an ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa key.";

    public static BuildxException Invalid(string source, string reason, Exception? inner = null) => new(
        ErrorIds.SshKeyInvalid, BuildxErrorKind.InvalidArgument,
        $"-Ssh key file '{source}' cannot be read as a private key: {reason} {AcceptedFormats}", source, inner);

    public static BuildxException NotSupported(string source, string what) => new(
        ErrorIds.SshKeyNotSupported, BuildxErrorKind.NotImplemented,
        $"-Ssh key file '{source}' holds {what}, which is not supported. {AcceptedFormats}", source);

    public static BuildxException PassphraseRequired(string source) => new(
        ErrorIds.SshKeyPassphraseRequired, BuildxErrorKind.InvalidArgument,
        $"-Ssh key file '{source}' is protected by a passphrase and none was given. Give it with the entry, e.g. " +
        $"-Ssh @{{ id='default'; paths='{source}'; passphrase=(Read-Host -AsSecureString) }}, or run interactively to be prompted.", source);

    public static BuildxException PassphraseIncorrect(string source, Exception? inner = null) => new(
        ErrorIds.SshKeyPassphraseIncorrect, BuildxErrorKind.InvalidArgument,
        $"-Ssh key file '{source}' could not be decrypted: the passphrase is incorrect (or the file is damaged). Give the passphrase the key was saved with.", source, inner);
}
