using System.Text;
using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// Reads <c>--secret</c> values as buildx does (<c>id=npm,src=./npmrc</c>, <c>id=tok,env=TOKEN</c>,
/// <c>type=file|env</c>) and as maps that may also carry a literal <c>value</c>.
/// </summary>
public static class SecretSpecParser
{
    /// <summary>The most BuildKit accepts for one secret (its <c>MaxSecretSize</c>).</summary>
    public const int MaxSecretSize = 500 * 1024;

    internal const string Accepted =
        "Give a hashtable such as @{ id='npm'; src='./npmrc' }, @{ id='tok'; env='TOKEN' } or @{ id='tok'; value=$secureString }, or a CSV string such as 'id=npm,src=./npmrc' or 'id=tok,type=env,env=TOKEN'.";

    public static SecretSpec ParseCsv(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pairs = OptionText.CsvPairs(text, ErrorIds.InvalidSecret, "Secret", Accepted);
        if (pairs.Any(p => OptionText.Key(p.Key) == "value"))
        {
            // A value in CSV text would sit in the command history; buildx has no such key either.
            throw OptionText.Invalid(ErrorIds.InvalidSecret, "Secret", "a literal value cannot be given in CSV text. Use @{ id='...'; value=$secureString } instead.");
        }

        return FromPairs(pairs);
    }

    /// <summary>
    /// Builds a secret from keys id, src|source, env, type and value. A value may be a string or
    /// bytes; <paramref name="environment"/> decides, for an id alone, whether an env var of that name exists.
    /// </summary>
    public static SecretSpec FromPairs(IEnumerable<KeyValuePair<string, object?>> pairs, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        string? id = null, file = null, env = null, type = null;
        byte[]? value = null;
        var ownsValue = false;
        foreach (var (rawKey, rawValue) in pairs)
        {
            switch (OptionText.Key(rawKey))
            {
                case "id":
                    id = OptionText.Format(rawValue);
                    break;
                case "src":
                case "source":
                    file = OptionText.Format(rawValue);
                    break;
                case "env":
                    env = OptionText.Format(rawValue);
                    break;
                case "type":
                    type = OptionText.Format(rawValue).Trim().ToLowerInvariant();
                    break;
                case "value":
                    value = rawValue switch
                    {
                        byte[] bytes => bytes,
                        null => [],
                        _ => Encoding.UTF8.GetBytes(OptionText.Format(rawValue)),
                    };
                    // Only a copy made here is cleared afterwards; the caller's own bytes are left alone.
                    ownsValue = rawValue is not byte[];
                    break;
                default:
                    // The key is safe to show; the value might be the secret itself.
                    throw OptionText.Invalid(ErrorIds.InvalidSecret, "Secret", $"unexpected key '{rawKey}'. The keys are id, src (or source), env, type and value. {Accepted}");
            }
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            throw OptionText.Invalid(ErrorIds.InvalidSecret, "Secret", $"a secret needs an id. {Accepted}");
        }

        if (type is not (null or "" or "file" or "env"))
        {
            throw OptionText.Invalid(ErrorIds.InvalidSecret, "Secret", $"secret '{id}' has type '{type}'; the types are file and env.");
        }

        if (value is not null)
        {
            if (file is not null || env is not null || !string.IsNullOrEmpty(type))
            {
                throw OptionText.Invalid(ErrorIds.InvalidSecret, "Secret", $"secret '{id}' has a value and also src, env or type; give only one source.");
            }

            if (value.Length > MaxSecretSize)
            {
                throw OptionText.Invalid(ErrorIds.InvalidSecret, "Secret", $"secret '{id}' is {value.Length} bytes; BuildKit accepts at most {MaxSecretSize}.");
            }

            var spec = SecretSpec.FromValue(id, value);
            if (ownsValue)
            {
                Array.Clear(value);
            }

            return spec;
        }

        if (type == "env")
        {
            // buildx: with type=env, src names the variable.
            return SecretSpec.FromEnvironment(id, env ?? file ?? id);
        }

        if (type == "file" || file is not null)
        {
            if (env is not null && file is not null)
            {
                throw OptionText.Invalid(ErrorIds.InvalidSecret, "Secret", $"secret '{id}' has both src and env; give one.");
            }

            return SecretSpec.FromFile(id, file ?? id);
        }

        if (env is not null)
        {
            return SecretSpec.FromEnvironment(id, env);
        }

        // An id alone: BuildKit's store reads the env var of that name if set, else the file of that name.
        var lookup = environment ?? Environment.GetEnvironmentVariable;
        return lookup(id) is not null ? SecretSpec.FromEnvironment(id, id) : SecretSpec.FromFile(id, id);
    }

    /// <summary>Checks, before anything is sent, that every source exists and ids are unique.</summary>
    public static void Validate(IReadOnlyList<SecretSpec> secrets, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var lookup = environment ?? Environment.GetEnvironmentVariable;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            if (!seen.Add(secret.Id))
            {
                throw OptionText.Invalid(ErrorIds.InvalidSecret, "Secret", $"secret id '{secret.Id}' is given twice; each id may appear once.");
            }

            switch (secret.Kind)
            {
                case SecretSourceKind.File when !File.Exists(secret.Source):
                    throw new BuildxException(ErrorIds.SecretSourceNotFound, BuildxErrorKind.ObjectNotFound,
                        $"-Secret: the file '{secret.Source}' for secret '{secret.Id}' does not exist. Give an existing file with src=, or env= for an environment variable.", secret.Source);
                case SecretSourceKind.File when new FileInfo(secret.Source!).Length > MaxSecretSize:
                    throw OptionText.Invalid(ErrorIds.InvalidSecret, "Secret", $"the file '{secret.Source}' for secret '{secret.Id}' is larger than BuildKit's limit of {MaxSecretSize} bytes.");
                case SecretSourceKind.Environment when lookup(secret.Source!) is null:
                    throw new BuildxException(ErrorIds.SecretSourceNotFound, BuildxErrorKind.ObjectNotFound,
                        $"-Secret: the environment variable '{secret.Source}' for secret '{secret.Id}' is not set. Set it, or give src= for a file.", secret.Source);
            }
        }
    }
}
