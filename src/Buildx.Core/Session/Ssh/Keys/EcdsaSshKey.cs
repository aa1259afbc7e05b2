using System.Security.Cryptography;

namespace Buildx.Core.Session.Ssh.Keys;

/// <summary>An ECDSA key on nistp256/384/521 (RFC 5656), signed with the BCL.</summary>
public sealed class EcdsaSshKey : SshPrivateKey
{
    private readonly ECDsa key;
    private readonly HashAlgorithmName hash;

    /// <summary>Takes ownership of <paramref name="key"/>; its curve must be one of the NIST curves SSH names.</summary>
    public EcdsaSshKey(ECDsa key, string comment)
        : base(comment)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        (CurveName, hash) = CurveOf(parameters.Curve)
            ?? throw new ArgumentException("SSH ECDSA keys use the nistp256, nistp384 or nistp521 curves.", nameof(key));
        this.key = key;
        var point = new byte[1 + parameters.Q.X!.Length + parameters.Q.Y!.Length];
        point[0] = 0x04;
        parameters.Q.X.CopyTo(point, 1);
        parameters.Q.Y.CopyTo(point, 1 + parameters.Q.X.Length);
        PublicKeyBlob = new SshWireWriter().WriteString(KeyType).WriteString(CurveName).WriteString(point).ToArray();
    }

    /// <summary>The SSH curve name: nistp256, nistp384 or nistp521.</summary>
    public string CurveName { get; }

    public override string KeyType => "ecdsa-sha2-" + CurveName;

    public override byte[] PublicKeyBlob { get; }

    /// <summary>The BCL curve for an SSH curve name, or null when SSH does not name it.</summary>
    public static ECCurve? CurveFor(string curveName) => curveName switch
    {
        "nistp256" => ECCurve.NamedCurves.nistP256,
        "nistp384" => ECCurve.NamedCurves.nistP384,
        "nistp521" => ECCurve.NamedCurves.nistP521,
        _ => null,
    };

    public override byte[] Sign(ReadOnlySpan<byte> data, SshSignOptions flags)
    {
        var fixedFields = key.SignData(data, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var half = fixedFields.Length / 2;
        var inner = new SshWireWriter().WriteMpint(fixedFields.AsSpan(0, half)).WriteMpint(fixedFields.AsSpan(half)).ToArray();
        return new SshWireWriter().WriteString(KeyType).WriteString(inner).ToArray();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            key.Dispose();
        }

        base.Dispose(disposing);
    }

    private static (string Name, HashAlgorithmName Hash)? CurveOf(ECCurve curve) => curve.Oid?.Value switch
    {
        "1.2.840.10045.3.1.7" => ("nistp256", HashAlgorithmName.SHA256),
        "1.3.132.0.34" => ("nistp384", HashAlgorithmName.SHA384),
        "1.3.132.0.35" => ("nistp521", HashAlgorithmName.SHA512),
        _ => curve.Oid?.FriendlyName switch
        {
            "nistP256" or "ECDSA_P256" => ("nistp256", HashAlgorithmName.SHA256),
            "nistP384" or "ECDSA_P384" => ("nistp384", HashAlgorithmName.SHA384),
            "nistP521" or "ECDSA_P521" => ("nistp521", HashAlgorithmName.SHA512),
            _ => null,
        },
    };
}
