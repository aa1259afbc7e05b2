namespace Buildx.Core.Builds.Options;

/// <summary>
/// One build secret (<c>--secret</c>): an id the Dockerfile mounts and where its bytes come from.
/// A literal value is held privately and never appears in <see cref="ToString"/>, logs or errors.
/// </summary>
public sealed class SecretSpec
{
    private readonly byte[]? value;

    private SecretSpec(string id, SecretSourceKind kind, string? source, byte[]? value)
    {
        Id = id;
        Kind = kind;
        Source = source;
        this.value = value;
    }

    public string Id { get; }

    public SecretSourceKind Kind { get; }

    /// <summary>The file path or the environment variable name; null for a literal value.</summary>
    public string? Source { get; }

    public static SecretSpec FromFile(string id, string path) => new(id, SecretSourceKind.File, path, null);

    public static SecretSpec FromEnvironment(string id, string variable) => new(id, SecretSourceKind.Environment, variable, null);

    public static SecretSpec FromValue(string id, ReadOnlySpan<byte> value) => new(id, SecretSourceKind.Value, null, value.ToArray());

    /// <summary>The same secret with its file path replaced (the caller resolves relative paths).</summary>
    public SecretSpec WithSource(string source) => new(Id, Kind, source, value);

    /// <summary>Zeroes the literal value once no build needs it any more (the caller that revealed it owns it).</summary>
    public void ClearValue()
    {
        if (value is not null)
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(value);
        }
    }

    /// <summary>A copy of the literal value; the caller owns (and should clear) it.</summary>
    internal byte[] CopyValue() => (byte[])(value ?? []).Clone();

    public override string ToString() => Kind switch
    {
        SecretSourceKind.File => $"id={Id},src={Source}",
        SecretSourceKind.Environment => $"id={Id},env={Source}",
        _ => $"id={Id} (value)",
    };
}
