using Buildx.Core.Errors;
using Buildx.Core.Session.Ssh.Keys;

namespace Buildx.Core.Tests.Session.Ssh;

/// <summary>Key files as the real ssh-keygen and openssl write them, loaded and compared with the public key they wrote.</summary>
public sealed class SshKeyFileTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Theory]
    [InlineData("ed25519", null, null, "ssh-ed25519")]
    [InlineData("ecdsa", 256, null, "ecdsa-sha2-nistp256")]
    [InlineData("ecdsa", 384, null, "ecdsa-sha2-nistp384")]
    [InlineData("ecdsa", 521, null, "ecdsa-sha2-nistp521")]
    [InlineData("rsa", 2048, null, "ssh-rsa")]
    [InlineData("rsa", 2048, "PEM", "ssh-rsa")]
    [InlineData("ecdsa", 384, "PEM", "ecdsa-sha2-nistp384")]
    [InlineData("rsa", 2048, "PKCS8", "ssh-rsa")]
    [InlineData("ecdsa", 256, "PKCS8", "ecdsa-sha2-nistp256")]
    public void Unencrypted_keys_load_with_the_public_key_ssh_keygen_wrote(string type, int? bits, string? format, string keyType)
    {
        var generated = SshKeygen.Generate(directory.Path, type, bits, format);

        using var key = SshKeyFile.Load(generated.PrivatePath, null);

        Assert.Equal(keyType, key.KeyType);
        Assert.Equal(generated.PublicBlob, key.PublicKeyBlob);
        // The OpenSSH format carries the comment; PEM files do not, so the path stands in, as ssh-add does.
        Assert.Equal(format is null ? generated.Comment : generated.PrivatePath, key.Comment);
        Assert.False(SshKeyFile.IsPassphraseProtected(generated.PrivatePath));
    }

    [Theory]
    [InlineData("ed25519", null, null, null)]
    [InlineData("ecdsa", 256, null, "aes256-gcm@openssh.com")]
    [InlineData("rsa", 2048, null, "aes128-cbc")]
    [InlineData("ed25519", null, null, "aes192-ctr")]
    [InlineData("ed25519", null, null, "chacha20-poly1305@openssh.com")]
    [InlineData("rsa", 2048, null, "aes256-cbc")]
    [InlineData("rsa", 2048, "PEM", null)]
    [InlineData("ecdsa", 521, "PEM", null)]
    [InlineData("rsa", 2048, "PKCS8", null)]
    [InlineData("ecdsa", 384, "PKCS8", null)]
    public void Encrypted_keys_load_with_the_right_passphrase_and_fail_clearly_without_it(string type, int? bits, string? format, string? cipher)
    {
        var generated = SshKeygen.Generate(directory.Path, type, bits, format, passphrase: "correct horse", cipher: cipher);

        using var key = SshKeyFile.Load(generated.PrivatePath, "correct horse"u8.ToArray());
        var missing = Assert.Throws<BuildxException>(() => SshKeyFile.Load(generated.PrivatePath, null));
        var wrong = Assert.Throws<BuildxException>(() => SshKeyFile.Load(generated.PrivatePath, "battery staple"u8.ToArray()));

        Assert.Equal(generated.PublicBlob, key.PublicKeyBlob);
        Assert.True(SshKeyFile.IsPassphraseProtected(generated.PrivatePath));
        Assert.Equal((ErrorIds.SshKeyPassphraseRequired, BuildxErrorKind.InvalidArgument), (missing.ErrorId, missing.Kind));
        Assert.Contains("passphrase=", missing.Message, StringComparison.Ordinal);
        Assert.Equal((ErrorIds.SshKeyPassphraseIncorrect, BuildxErrorKind.InvalidArgument), (wrong.ErrorId, wrong.Kind));
        Assert.Equal(generated.PrivatePath, missing.Target);
    }

    [Fact]
    public void An_ed25519_PKCS8_key_from_openssl_loads()
    {
        var path = Path.Combine(directory.Path, "ed25519.pem");
        SshKeygen.Run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", path]);

        using var key = SshKeyFile.Load(path, null);

        Assert.Equal("ssh-ed25519", key.KeyType);
        // OpenSSL's SubjectPublicKeyInfo ends with the raw 32-byte key; the SSH blob wraps it.
        var der = Path.Combine(directory.Path, "ed25519.pub.der");
        SshKeygen.Run("openssl", ["pkey", "-in", path, "-pubout", "-outform", "DER", "-out", der]);
        var raw = File.ReadAllBytes(der)[^32..];
        Assert.Equal([0, 0, 0, 11, .. "ssh-ed25519"u8.ToArray(), 0, 0, 0, 32, .. raw], key.PublicKeyBlob);
    }

    [Fact]
    public void A_DSA_key_is_refused_as_not_supported_naming_what_is_accepted()
    {
        var generated = SshKeygen.Generate(directory.Path, "dsa");

        var error = Assert.Throws<BuildxException>(() => SshKeyFile.Load(generated.PrivatePath, null));

        Assert.Equal((ErrorIds.SshKeyNotSupported, BuildxErrorKind.NotImplemented), (error.ErrorId, error.Kind));
        Assert.Contains("ssh-dss", error.Message, StringComparison.Ordinal);
        Assert.Contains("ssh-ed25519", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_files_are_refused_as_invalid_keys()
    {
        var generated = SshKeygen.Generate(directory.Path, "ed25519");
        var text = File.ReadAllText(generated.PrivatePath);
        var lines = text.Split('\n');
        var truncated = directory.Write("truncated", string.Join('\n', lines[0], lines[1], lines[^2], string.Empty));
        var fake = directory.Write("fake", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n");
        var noEnd = directory.Write("no-end", lines[0] + "\n" + lines[1] + "\n");
        var garbage = directory.Write("garbage", "just some text\n");
        var unknownLabel = directory.Write("certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        foreach (var path in new[] { truncated, fake, noEnd, garbage, generated.PrivatePath + ".pub" })
        {
            var error = Assert.Throws<BuildxException>(() => SshKeyFile.Load(path, null));
            Assert.Equal((ErrorIds.SshKeyInvalid, BuildxErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
            Assert.Contains("BEGIN OPENSSH PRIVATE KEY", error.Message, StringComparison.Ordinal);
        }

        Assert.Contains("public key", Assert.Throws<BuildxException>(() => SshKeyFile.Load(generated.PrivatePath + ".pub", null)).Message, StringComparison.Ordinal);
        Assert.Equal(ErrorIds.SshKeyNotSupported, Assert.Throws<BuildxException>(() => SshKeyFile.Load(unknownLabel, null)).ErrorId);
    }

    [Theory]
    [InlineData("ed25519", null, "")]
    [InlineData("ecdsa", 256, "")]
    [InlineData("rsa", 1024, "")]
    [InlineData("ed25519", null, "pw")]
    public void Damaged_OpenSSH_keys_give_key_errors_and_nothing_else(string type, int? bits, string passphrase)
    {
        // One bcrypt round keeps 150 decryptions fast.
        var generated = SshKeygen.Generate(directory.Path, type, bits, passphrase: passphrase, kdfRounds: 1);
        var lines = File.ReadAllLines(generated.PrivatePath);
        var refused = 0;
        var data = Convert.FromBase64String(string.Concat(lines[1..^1]));
        var random = new Random(4711);
        for (var i = 0; i < 150; i++)
        {
            // Flip a few bytes or cut the blob short, anywhere in header or private section.
            var damaged = (byte[])data.Clone();
            if (i % 3 == 0)
            {
                damaged = damaged[..random.Next(damaged.Length)];
            }
            else
            {
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    damaged[random.Next(damaged.Length)] ^= (byte)random.Next(1, 256);
                }
            }

            var text = $"{lines[0]}\n{Convert.ToBase64String(damaged)}\n{lines[^1]}\n";
            try
            {
                using var key = SshKeyFile.Parse(text, passphrase.Length > 0 ? System.Text.Encoding.UTF8.GetBytes(passphrase) : null, "damaged");
            }
            catch (BuildxException ex)
            {
                Assert.StartsWith("SshKey", ex.ErrorId, StringComparison.Ordinal);
                refused++;
            }
        }

        // Damage confined to the comment still loads; most damage must not.
        Assert.True(refused > 100, $"only {refused} of 150 damaged keys were refused");
    }

    [Fact]
    public void A_missing_file_is_reported_as_not_found()
    {
        var error = Assert.Throws<BuildxException>(() => SshKeyFile.Load(Path.Combine(directory.Path, "absent"), null));

        Assert.Equal((ErrorIds.SshAgentUnavailable, BuildxErrorKind.ObjectNotFound), (error.ErrorId, error.Kind));
    }

    [Fact]
    public void Blowfish_starts_from_the_hexadecimal_digits_of_pi()
    {
        var words = BlowfishInitialState.All;

        // P1, P18, the first word of S1 and the last of S4 in Schneier's tables.
        Assert.Equal(0x243F6A88u, words[0]);
        Assert.Equal(0x8979FB1Bu, words[17]);
        Assert.Equal(0xD1310BA6u, words[18]);
        Assert.Equal(0x3AC372E6u, words[^1]);
    }
}
