using System.Security.Cryptography;
using Buildx.Core.Session.Ssh.Agent;
using Buildx.Core.Session.Ssh.Keys;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Buildx.Core.Tests.Session.Ssh;

/// <summary>
/// The in-process agent's answers, with keys from the real ssh-keygen; signatures are verified with
/// an independent implementation (BouncyCastle for Ed25519, the BCL for RSA and ECDSA) from the public blob.
/// </summary>
public sealed class SshAgentKeyringTests : IDisposable
{
    private static readonly byte[] Data = "session id and userauth request"u8.ToArray();

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void REQUEST_IDENTITIES_lists_every_key_with_its_blob_and_comment_in_order()
    {
        var generated = new[]
        {
            SshKeygen.Generate(directory.Path, "ed25519"),
            SshKeygen.Generate(directory.Path, "ecdsa", 256),
            SshKeygen.Generate(directory.Path, "rsa", 2048),
        };
        using var keyring = new SshAgentKeyring(generated.Select(g => SshKeyFile.Load(g.PrivatePath, null)).ToArray());

        var bodies = AgentMessages.Bodies(keyring.Respond([11]));

        var identities = AgentMessages.Identities(Assert.Single(bodies));
        Assert.Equal(generated.Select(g => g.PublicBlob), identities.Select(i => i.Blob));
        Assert.Equal(generated.Select(g => g.Comment), identities.Select(i => i.Comment));
    }

    [Fact]
    public void An_ed25519_signature_verifies_with_the_public_key()
    {
        var generated = SshKeygen.Generate(directory.Path, "ed25519");
        using var keyring = Keyring(generated);

        var (algorithm, signature) = AgentMessages.Signature(Single(keyring.Respond(AgentMessages.SignBody(generated.PublicBlob, Data, 0))));

        Assert.Equal("ssh-ed25519", algorithm);
        var reader = new AgentMessages.Reader(generated.PublicBlob, 0);
        reader.String();
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(reader.String()));
        verifier.BlockUpdate(Data, 0, Data.Length);
        Assert.True(verifier.VerifySignature(signature));
        Assert.Equal(1, keyring.Signatures);
    }

    [Theory]
    [InlineData(256, "nistp256")]
    [InlineData(384, "nistp384")]
    [InlineData(521, "nistp521")]
    public void An_ecdsa_signature_verifies_with_the_public_key(int bits, string curve)
    {
        var generated = SshKeygen.Generate(directory.Path, "ecdsa", bits);
        using var keyring = Keyring(generated);

        var (algorithm, signature) = AgentMessages.Signature(Single(keyring.Respond(AgentMessages.SignBody(generated.PublicBlob, Data, 0))));

        Assert.Equal("ecdsa-sha2-" + curve, algorithm);
        var blob = new AgentMessages.Reader(generated.PublicBlob, 0);
        blob.String();
        blob.String();
        var point = blob.String();
        var size = (point.Length - 1) / 2;
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.CreateFromFriendlyName("nistP" + bits),
            Q = new ECPoint { X = point[1..(1 + size)], Y = point[(1 + size)..] },
        });
        var inner = new AgentMessages.Reader(signature, 0);
        byte[] r = inner.String(), s = inner.String();
        var hash = bits switch { 256 => HashAlgorithmName.SHA256, 384 => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
        byte[] fixedFields = [.. Fixed(r, size), .. Fixed(s, size)];
        Assert.True(ecdsa.VerifyData(Data, fixedFields, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Theory]
    [InlineData(0u, "ssh-rsa")]
    [InlineData(2u, "rsa-sha2-256")]
    [InlineData(4u, "rsa-sha2-512")]
    [InlineData(6u, "rsa-sha2-256")]
    public void An_rsa_signature_honours_the_sha2_flags_and_verifies(uint flags, string expected)
    {
        var generated = SshKeygen.Generate(directory.Path, "rsa", 2048, "PEM");
        using var keyring = Keyring(generated);

        var (algorithm, signature) = AgentMessages.Signature(Single(keyring.Respond(AgentMessages.SignBody(generated.PublicBlob, Data, flags))));

        Assert.Equal(expected, algorithm);
        var blob = new AgentMessages.Reader(generated.PublicBlob, 0);
        blob.String();
        using var rsa = RSA.Create(new RSAParameters { Exponent = blob.String(), Modulus = blob.String().SkipWhile(b => b == 0).ToArray() });
        Assert.Equal(rsa.KeySize / 8, signature.Length);
        var hash = expected switch { "rsa-sha2-256" => HashAlgorithmName.SHA256, "rsa-sha2-512" => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA1 };
        Assert.True(rsa.VerifyData(Data, signature, hash, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Everything_but_listing_and_signing_known_keys_gets_FAILURE()
    {
        var generated = SshKeygen.Generate(directory.Path, "ed25519");
        var other = SshKeygen.Generate(directory.Path, "ed25519");
        using var keyring = Keyring(generated);
        var sign = AgentMessages.SignBody(generated.PublicBlob, Data, 0);
        byte[][] requests =
        [
            [],
            [17, .. AgentMessages.String("ssh-ed25519"u8.ToArray())], // ADD_IDENTITY
            [18, .. AgentMessages.String(generated.PublicBlob)], // REMOVE_IDENTITY
            [19], // REMOVE_ALL_IDENTITIES
            [22, .. AgentMessages.String("pin"u8.ToArray())], // LOCK
            [27, .. AgentMessages.String("session-bind@openssh.com"u8.ToArray())], // EXTENSION
            [200],
            AgentMessages.SignBody(other.PublicBlob, Data, 0), // a key the agent does not hold
            sign[..^2], // truncated flags
            [.. sign, 0], // trailing bytes
            [13, 0xFF, 0xFF, 0xFF, 0xFF], // a string longer than the message
        ];

        foreach (var request in requests)
        {
            Assert.Equal([5], Single(keyring.Respond(request)));
        }

        Assert.Equal(0, keyring.Signatures);
    }

    private static SshAgentKeyring Keyring(SshKeygen.GeneratedKey generated) => new([SshKeyFile.Load(generated.PrivatePath, null)]);

    private static byte[] Single(byte[] framed) => Assert.Single(AgentMessages.Bodies(framed));

    private static byte[] Fixed(byte[] mpint, int size)
    {
        var trimmed = mpint.SkipWhile(b => b == 0).ToArray();
        return [.. new byte[size - trimmed.Length], .. trimmed];
    }
}
