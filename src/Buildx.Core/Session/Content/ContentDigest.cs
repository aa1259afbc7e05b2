using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.Content;

/// <summary>
/// An OCI content digest (<c>sha256:&lt;64 hex&gt;</c> or <c>sha512:&lt;128 hex&gt;</c>): the only
/// shapes that may name a blob file, so a digest can never point outside <c>blobs/</c>.
/// </summary>
internal readonly partial record struct ContentDigest(string Algorithm, string Encoded)
{
    public HashAlgorithmName HashAlgorithm => Algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;

    public static bool TryParse(string? text, out ContentDigest digest)
    {
        var match = Pattern().Match(text ?? string.Empty);
        digest = match.Success ? new ContentDigest(match.Groups[1].Value, match.Groups[2].Value) : default;
        return match.Success;
    }

    /// <exception cref="GrpcStatusException">InvalidArgument, as containerd answers a digest that fails validation.</exception>
    public static ContentDigest Parse(string? text) => TryParse(text, out var digest)
        ? digest
        : throw new GrpcStatusException(StatusCode.InvalidArgument, $"\"{text}\" failed validation");

    public static string Of(HashAlgorithmName algorithm, byte[] hash) =>
        (algorithm == HashAlgorithmName.SHA512 ? "sha512:" : "sha256:") + Convert.ToHexString(hash).ToLowerInvariant();

    public override string ToString() => Algorithm + ":" + Encoded;

    [GeneratedRegex("^(sha256|sha512):((?<=sha256:)[a-f0-9]{64}|(?<=sha512:)[a-f0-9]{128})$")]
    private static partial Regex Pattern();
}
