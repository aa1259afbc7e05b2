using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// Reads <c>--ssh</c> values as buildx does (<c>default</c>, <c>id=/path/to/socket[,/other]</c>) and
/// maps <c>@{ id='github'; paths=...; passphrase=... }</c> (paths: one agent socket, or private key files), and finds the default agent.
/// </summary>
public static class SshSpecParser
{
    /// <summary>The Windows OpenSSH agent's pipe, buildx's default there.</summary>
    public const string WindowsAgentPipe = @"\\.\pipe\openssh-ssh-agent";

    internal const string Accepted = "Give 'default', 'id=/path/to/agent.sock', 'id=/path/to/private_key', or a hashtable such as @{ id='github'; paths='~/.ssh/id_ed25519'; passphrase=$secure }.";

    public static SshSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var id = (equals < 0 ? text : text[..equals]).Trim();
        var paths = equals < 0 ? [] : text[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return Create(id, paths);
    }

    public static SshSpec FromPairs(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        string? id = null;
        byte[]? passphrase = null;
        var paths = new List<string>();
        foreach (var (rawKey, rawValue) in pairs)
        {
            switch (OptionText.Key(rawKey))
            {
                case "id":
                    id = OptionText.Format(rawValue).Trim();
                    break;
                case "paths":
                case "path":
                    paths.AddRange(rawValue is System.Collections.IEnumerable many and not string
                        ? many.Cast<object?>().Select(OptionText.Format)
                        : [OptionText.Format(rawValue)]);
                    break;
                case "passphrase":
                    // The cmdlet layer hands a SecureString over as UTF-8 bytes; a plain string is accepted too.
                    passphrase = rawValue switch
                    {
                        byte[] bytes => (byte[])bytes.Clone(),
                        string text => System.Text.Encoding.UTF8.GetBytes(text),
                        null => null,
                        _ => throw OptionText.Invalid(ErrorIds.InvalidSsh, "Ssh", $"passphrase must be a SecureString or a string, not {rawValue.GetType().Name}. {Accepted}"),
                    };
                    break;
                default:
                    throw OptionText.Invalid(ErrorIds.InvalidSsh, "Ssh", $"unexpected key '{rawKey}'; the keys are id, paths and passphrase. {Accepted}");
            }
        }

        return Create(id ?? SshSpec.DefaultId, paths.Where(p => p.Length > 0).ToArray()) with { Passphrase = passphrase };
    }

    /// <summary>
    /// Fills in the default agent for an entry with no paths: <c>SSH_AUTH_SOCK</c>, or on Windows the
    /// OpenSSH agent pipe, as buildx does.
    /// </summary>
    public static SshSpec WithDefaultAgent(SshSpec spec, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Paths.Count > 0)
        {
            return spec;
        }

        var socket = (environment ?? Environment.GetEnvironmentVariable)("SSH_AUTH_SOCK");
        if (string.IsNullOrEmpty(socket) && OperatingSystem.IsWindows())
        {
            socket = WindowsAgentPipe;
        }

        if (string.IsNullOrEmpty(socket))
        {
            throw new BuildxException(ErrorIds.SshAgentUnavailable, BuildxErrorKind.ObjectNotFound,
                $"-Ssh '{spec.Id}': no agent socket was given and SSH_AUTH_SOCK is not set. Start an ssh-agent, or give the socket: @{{ id='{spec.Id}'; paths='/path/to/agent.sock' }}.", spec.Id);
        }

        return spec with { Paths = [socket] };
    }

    /// <summary>Checks ids are unique before anything is sent.</summary>
    public static void ValidateUnique(IReadOnlyList<SshSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var duplicate = specs.GroupBy(s => s.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw OptionText.Invalid(ErrorIds.InvalidSsh, "Ssh", $"the id '{duplicate.Key}' is given twice; each id may appear once.");
        }
    }

    private static SshSpec Create(string? id, IReadOnlyList<string> paths)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw OptionText.Invalid(ErrorIds.InvalidSsh, "Ssh", $"an entry needs an id. {Accepted}");
        }

        if (id.Any(c => char.IsWhiteSpace(c) || c == ','))
        {
            throw OptionText.Invalid(ErrorIds.InvalidSsh, "Ssh", $"the id '{id}' has spaces or commas. {Accepted}");
        }

        return new SshSpec(id, paths);
    }
}
